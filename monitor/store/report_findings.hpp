// SQL of what the report sources (DMARC, TLS-RPT, SNDS) add to the shared streams: findings
// (the `finding` table of the log ingester, with the ip, scope and action columns of
// schema/016_reports.sql) and, until monitor/evidence's writer lands, their evidence rows.
//
// Contract: values bound; both inserts are idempotent by their unique keys (finding:
// source_key; evidence: source kind, source id, scope). The caller owns the transaction.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>

namespace smtpprobe::store {

struct ReportFinding {
    std::string time;
    std::string kind;        // dmarc-spoofing | dmarc-alignment | tlsrpt-failure | snds-filter |
                             // snds-traps | snds-complaints | snds-junked
    std::string ip;          // our IP it is about ("" when none)
    std::string scope;       // the receiver scope it came from
    std::string detail;      // one line: what was found
    std::string action;      // one line: what to do
    std::string source_kind; // dmarc | tlsrpt | snds
    std::string source_key;  // unique per finding ("dmarc|org|report id|spoofing", ...)
};

// The finding insert with its statement prepared once, for sources that write many rows
// (DMARC: thousands of reports per ingest). The functions below use one for a single row.
class ReportRows {
public:
    explicit ReportRows(Database& db);

    // Inserts a finding unless one with its source_key exists; true when inserted.
    bool add_finding(const ReportFinding& finding);

private:
    Database& m_db;
    Statement m_finding;
};

// One finding (see ReportRows::add_finding).
bool insert_report_finding(Database& db, const ReportFinding& finding);

} // namespace smtpprobe::store
