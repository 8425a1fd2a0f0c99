// SQL of SMTP TLS reports (schema/016_reports.sql): one tlsrpt_report row per
// (organization, report id), one tlsrpt_policy row per policy with its failure details as JSON.
//
// Contract: values bound; add_report stores a report with all its policies, or nothing when
// it is stored already (returns 0). The caller owns the transaction.
#pragma once

#include "monitor/ingest/reports/tlsrpt_report.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>

namespace smtpprobe::store {

// The identity org of a TLS report: its organization-name, else its contact-info.
std::string tlsrpt_org(const ingest::TlsReport& report);

bool has_tlsrpt_report(Database& db, const std::string& org, const std::string& report_id);

std::int64_t add_tlsrpt_report(Database& db, const ingest::TlsReport& report,
                               const std::string& origin, const std::string& now);

} // namespace smtpprobe::store
