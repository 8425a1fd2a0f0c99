// `ingest tlsrpt` as a library: every TLS report document under the given paths (JSON, .gz,
// or a mail carrying it), parsed (tlsrpt_report.hpp), stored once per (organization, report
// id) (store/tlsrpt_store.hpp); each policy with failed sessions becomes a finding on the
// hygiene of our inbound MX (tlsrpt_findings), with the MTA-STS or DANE context and the fix
// for each failure type (RFC 8460 section 4.3). A TLS report is about mail *to* us, so it
// gives no evidence about our sending IPs.
//
// Contract: like DmarcIngester (dmarc_ingest.hpp).
#pragma once

#include "monitor/ingest/reports/report_stats.hpp"
#include "monitor/ingest/reports/tlsrpt_report.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/report_findings.hpp"

#include <functional>
#include <string>
#include <vector>

namespace smtpprobe::ingest {

struct IngestedTlsPolicy {
    const std::string& origin;
    const TlsReport& report;
    const TlsPolicy& policy;
    bool fresh;
};

// The findings of one report: one per policy with failed sessions. org is the report's
// identity org.
std::vector<store::ReportFinding> tlsrpt_findings(const TlsReport& report, const std::string& org);

// What to do about one failure type at one MX (RFC 8460 section 4.3 result types).
std::string tls_failure_fix(const std::string& result_type, const std::string& mx,
                            const std::string& policy_domain);

class TlsrptIngester {
public:
    // db may be null: parse only.
    explicit TlsrptIngester(store::Database* db);

    using PolicySink = std::function<void(const IngestedTlsPolicy&)>;
    using MalformedSink = std::function<void(const std::string& origin, const std::string& why)>;

    void ingest(const std::string& path, const PolicySink& on_policy = {},
                const MalformedSink& on_malformed = {});

    const ReportIngestStats& stats() const { return m_stats; }

private:
    store::Database* m_db;
    ReportIngestStats m_stats;
};

} // namespace smtpprobe::ingest
