// What one DMARC aggregate report means for us (issue 19), as values:
//
//   - proof of acceptance: a record counting mail from one of our IPs that the receiver did
//     not reject (disposition none, pass or quarantine: the mail got past SMTP, so the IP was
//     not blocked) is a clear observation for the reporter's scope at the period's start, one
//     per IP with the messages counted. The start, not the end: the messages may have come
//     before a block that opened later in the period, and the earliest time never closes an
//     episode that opened after the mail was accepted.
//   - spoofing: records for our domain (header From is the policy domain or below it) from
//     IPs that are not ours and failing DMARC (neither aligned DKIM nor aligned SPF pass);
//     one finding per report.
//   - alignment hygiene: records from our IPs whose aligned DKIM or SPF result is not pass;
//     one finding per report and IP, with the fix for what failed.
//
// Without a configured identity nothing is ours, so no observation and no finding is made.
//
// Contract: pure (no store, no clock); peer text in details is raw (escaped by the sinks).
#pragma once

#include "monitor/ingest/reports/dmarc_report.hpp"
#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/store/report_findings.hpp"

#include <string>
#include <vector>

namespace smtpprobe::ingest {

struct DmarcMeaning {
    // Clear observations; source_id is the index of the IP's first record in report.records.
    std::vector<ReportObservation> observations;
    std::vector<store::ReportFinding> findings;
};

// ours[i] says whether report.records[i] comes from one of our IPs; org is the report's
// identity org, scope the reporter's scope.
DmarcMeaning dmarc_meaning(const DmarcReport& report, const std::vector<bool>& ours,
                           const std::string& org, const std::string& scope);

// Whether a header From domain belongs to the policy domain (equal or a subdomain).
bool under_domain(const std::string& domain, const std::string& policy_domain);

} // namespace smtpprobe::ingest
