// SMTP TLS reports (RFC 8460) from real senders and the RFC (tests/data/reports/tlsrpt): every
// policy's counts and failure details, the report inside Google's mail, malformed JSON, and
// the findings with their fixes and MTA-STS/DANE context.
#include "monitor/ingest/reports/tlsrpt_ingest.hpp"
#include "monitor/ingest/reports/tlsrpt_report.hpp"
#include "tests/monitor/ingest/reports/report_data.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;
using namespace smtpprobe::test;

namespace {

ingest::TlsReport parsed(const std::string& name)
{
    const auto r = ingest::parse_tlsrpt_report(single_document(report_data("tlsrpt/" + name)));
    INFO(name << ": " << r.error);
    REQUIRE(r.report);
    return *r.report;
}

} // namespace

TEST_CASE("TLS-RPT: the RFC 8460 example, three failure details")
{
    const auto r = parsed("rfc8460.json");
    CHECK(r.organization == "Company-X");
    CHECK(r.report_id == "5065427c-23d3-47ca-b6e0-946ea0e8c4be");
    CHECK(r.start == "2016-04-01T00:00:00Z");
    REQUIRE(r.policies.size() == 1);
    const auto& p = r.policies[0];
    CHECK(p.policy_type == "sts");
    CHECK(p.policy_domain == "company-y.example");
    CHECK(p.mx_hosts == std::vector<std::string>{"*.mail.company-y.example"});
    CHECK(p.policy_strings.size() == 4);
    CHECK(p.successful == 5326);
    CHECK(p.failed == 303);
    REQUIRE(p.failures.size() == 3);
    CHECK(p.failures[0].result_type == "certificate-expired");
    CHECK(p.failures[0].failed_session_count == 100);
    CHECK(p.failures[0].receiving_mx_hostname == "mx1.mail.company-y.example");
    CHECK(p.failures[1].result_type == "starttls-not-supported");
    CHECK(p.failures[1].receiving_ip == "203.0.113.56");
    CHECK(p.failures[1].failed_session_count == 200);
    CHECK(p.failures[2].failure_reason_code == "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED");
    CHECK(p.failures[2].failed_session_count == 3);
}

TEST_CASE("TLS-RPT: Mail.ru's report, policy fetch errors without sending IPs")
{
    const auto r = parsed("mail.ru.json");
    CHECK(r.organization == "Mail.ru");
    REQUIRE(r.policies.size() == 1);
    CHECK(r.policies[0].successful == 0);
    CHECK(r.policies[0].failed == 1);
    REQUIRE(r.policies[0].failures.size() == 2);
    CHECK(r.policies[0].failures[0].failure_reason_code == "bad https response code: 404");
    CHECK(r.policies[0].failures[1].result_type == "sts-policy-fetch-error");
    CHECK(r.policies[0].mx_hosts.empty());
}

TEST_CASE("TLS-RPT: validation failures and empty detail fields")
{
    auto r = parsed("smtp_tls.json");
    REQUIRE(r.policies.size() == 1);
    CHECK(r.policies[0].failed == 3);
    REQUIRE(r.policies[0].failures.size() == 2);
    CHECK(r.policies[0].failures[0].sending_mta_ip == "209.85.222.201");
    CHECK(r.policies[0].failures[0].failed_session_count == 2);
    CHECK(r.policies[0].failures[1].failed_session_count == 1);
    r = parsed("empty_failure_detail_fields.json");
    REQUIRE(r.policies.at(0).failures.size() == 1);
    CHECK(r.policies[0].failures[0].receiving_mx_hostname.empty());
    CHECK(r.policies[0].failures[0].failure_reason_code == "no-policy-served");
}

TEST_CASE("TLS-RPT: Google's report mail (multipart/report, application/tlsrpt+gzip)")
{
    const auto r = parsed("google-gzip-in-mail.eml");
    CHECK(r.organization == "Google Inc.");
    CHECK(r.report_id == "2024-09-03T00:00:00Z_cardinalhealth.ca");
    REQUIRE(r.policies.size() == 1);
    CHECK(r.policies[0].policy_type == "no-policy-found");
    CHECK(r.policies[0].policy_domain == "cardinalhealth.ca");
    CHECK(r.policies[0].successful == 48);
    CHECK(r.policies[0].failed == 0);
}

TEST_CASE("TLS-RPT: malformed JSON, wrong shapes and deep nesting are errors, not crashes")
{
    CHECK_FALSE(ingest::parse_tlsrpt_report("{").report);
    CHECK_FALSE(ingest::parse_tlsrpt_report("[1,2]").report);
    CHECK(ingest::parse_tlsrpt_report("{\"organization-name\":\"x\"}").error.find("report-id") !=
          std::string::npos);
    std::string deep(1000, '[');
    const auto r = ingest::parse_tlsrpt_report(deep);
    CHECK_FALSE(r.report);
    CHECK(r.error.find("deeper") != std::string::npos);
    // Fields of the wrong type read as absent; negative counts as 0.
    const auto odd = ingest::parse_tlsrpt_report(
        R"({"organization-name":5,"contact-info":"c@x","report-id":"r","date-range":
        {"start-datetime":"a","end-datetime":"b"},"policies":[7,{"policy":"x","summary":
        {"total-successful-session-count":-3,"total-failure-session-count":"9"}}]})");
    REQUIRE(odd.report);
    CHECK(odd.report->skipped_policies == 1);
    REQUIRE(odd.report->policies.size() == 1);
    CHECK(odd.report->policies[0].successful == 0);
    CHECK(odd.report->policies[0].failed == 0);
}

TEST_CASE("TLS-RPT: failures become one finding per policy with fixes and MTA-STS context")
{
    const auto r = parsed("rfc8460.json");
    const auto findings = ingest::tlsrpt_findings(r, "Company-X");
    REQUIRE(findings.size() == 1);
    const auto& f = findings[0];
    CHECK(f.kind == "tlsrpt-failure");
    CHECK(f.detail.find("303 of 5629 sessions to company-y.example failed TLS") !=
          std::string::npos);
    CHECK(f.detail.find("certificate-expired at mx1.mail.company-y.example (100)") !=
          std::string::npos);
    CHECK(f.detail.find("MTA-STS in testing mode") != std::string::npos);
    CHECK(f.action.find("renew the TLS certificate of mx1.mail.company-y.example") !=
          std::string::npos);
    CHECK(f.action.find("enable STARTTLS on mx2.mail.company-y.example") != std::string::npos);
    CHECK(ingest::tlsrpt_findings(parsed("google-gzip-in-mail.eml"), "Google Inc.").empty());
    const auto fetch = ingest::tlsrpt_findings(parsed("mail.ru.json"), "Mail.ru");
    REQUIRE(fetch.size() == 1);
    CHECK(fetch[0].action.find("https://mta-sts.example.com/.well-known/mta-sts.txt") !=
          std::string::npos);
    CHECK(fetch[0].scope == "mailru");
}
