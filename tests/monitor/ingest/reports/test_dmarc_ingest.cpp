// The DMARC pipeline against a real store: reports stored per report and record, idempotent by
// (org, report id) across files and mails, clear evidence for our IPs, spoofing and alignment
// findings, malformed documents counted with their reason, and the reporter's scope.
#include "monitor/evidence/policy.hpp"
#include "monitor/ingest/reports/dmarc_findings.hpp"
#include "monitor/ingest/reports/dmarc_ingest.hpp"
#include "monitor/ingest/reports/report_evidence.hpp"
#include "tests/monitor/ingest/reports/report_data.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <filesystem>

using namespace smtpprobe;
using namespace smtpprobe::test;

namespace {

config::Config ours(const char* ip)
{
    config::Config c;
    c.identities.push_back({"main", ip, "mail.example.com", "postmaster@example.com"});
    return c;
}

std::int64_t count(store::Database& db, const char* sql)
{
    store::Statement st(db, sql);
    REQUIRE(st.step());
    return st.column_int(0);
}

} // namespace

TEST_CASE("DMARC ingest: every sample stored once, malformed counted, re-ingest skips all")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    const auto config = ours("100.24.188.149");
    ingest::DmarcIngester first(&db, config);
    std::vector<std::string> malformed;
    first.ingest(report_data("dmarc"), {}, [&](const std::string& origin, const std::string& why) {
        malformed.push_back(origin + ": " + why);
    });
    const auto& s = first.stats();
    CHECK(s.read == 10);
    CHECK(s.fresh == 9);
    CHECK(s.malformed == 1);
    CHECK(s.skipped == 0);
    REQUIRE(malformed.size() == 1);
    CHECK(malformed[0].find("invalid_xml.xml") != std::string::npos);
    CHECK(count(db, "SELECT count(*) FROM dmarc_report") == 9);
    CHECK(count(db, "SELECT count(*) FROM dmarc_record") == 17);
    CHECK(count(db, "SELECT sum(count) FROM dmarc_record") == 147);
    // The Outlook.com record of our IP: one clear observation at the period's start.
    CHECK(count(db, "SELECT count(*) FROM evidence WHERE source_kind = 'dmarc' AND verdict = "
                    "'clear' AND ip = '100.24.188.149' AND scope = "
                    "'microsoft-consumer/outlook-com' AND time = '2024-03-30T00:00:00Z'") == 1);
    // Spoofing: DMARCbis (203.0.113.10), Google (92.53.116.102), Zoho (8 IPs); alignment: ours.
    CHECK(count(db, "SELECT count(*) FROM finding WHERE kind = 'dmarc-spoofing'") == 3);
    CHECK(count(db, "SELECT count(*) FROM finding WHERE kind = 'dmarc-alignment' AND ip = "
                    "'100.24.188.149'") == 1);

    // Again, and the same reports through their mails and a copy: nothing new.
    ingest::DmarcIngester again(&db, config);
    again.ingest(report_data("dmarc"));
    again.ingest(report_data("dmarc/google-zip-in-mail.eml"));
    CHECK(again.stats().fresh == 0);
    CHECK(again.stats().skipped == 10);
    CHECK(again.stats().evidence == 0);
    CHECK(again.stats().findings == 0);
    CHECK(count(db, "SELECT count(*) FROM dmarc_record") == 17);
    CHECK(count(db, "SELECT count(*) FROM evidence") == 1);
}

TEST_CASE("DMARC ingest: without identities nothing is ours, so no evidence or finding")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    ingest::DmarcIngester ingester(&db, config::Config{});
    ingester.ingest(report_data("dmarc"));
    CHECK(ingester.stats().fresh == 9);
    CHECK(ingester.stats().evidence == 0);
    CHECK(ingester.stats().findings == 0);
}

TEST_CASE("DMARC meaning: accepted mail is clear, rejected mail is not, and fixes name the cause")
{
    ingest::DmarcReport r;
    r.org_name = "google.com";
    r.report_id = "1";
    r.begin = 1700000000;
    r.end = 1700086399;
    r.policy.domain = "example.com";
    r.policy.p = "none";
    auto record = [](const char* ip, int n, const char* disp, const char* dkim, const char* spf) {
        ingest::DmarcRecord x;
        x.source_ip = ip;
        x.count = n;
        x.disposition = disp;
        x.dkim = dkim;
        x.spf = spf;
        x.header_from = "example.com";
        return x;
    };
    r.records.push_back(record("192.0.2.10", 5, "none", "pass", "pass"));
    r.records.push_back(record("192.0.2.10", 2, "quarantine", "fail", "pass"));
    r.records.back().dkim_results.push_back({"other.example", "s", "pass", ""});
    r.records.push_back(record("192.0.2.11", 3, "reject", "fail", "fail"));
    r.records.push_back(record("203.0.113.9", 4, "none", "fail", "fail"));
    r.records.push_back(record("203.0.113.8", 6, "none", "pass", "fail")); // a forwarder: passes
    const auto m =
        ingest::dmarc_meaning(r, {true, true, true, false, false}, "google.com", "google");
    REQUIRE(m.observations.size() == 1); // 192.0.2.11 was rejected: no proof of acceptance
    CHECK(m.observations[0].ip == "192.0.2.10");
    CHECK(m.observations[0].observations == 7);
    CHECK(m.observations[0].time == "2023-11-14T22:13:20Z");
    CHECK(m.observations[0].source_id == 0);
    std::map<std::string, const store::ReportFinding*> by_key;
    for (const auto& f : m.findings) {
        by_key[f.kind + (f.ip.empty() ? "" : " " + f.ip)] = &f;
    }
    REQUIRE(by_key.size() == 3);
    CHECK(by_key["dmarc-spoofing"]->detail.find("4 messages from 1 IPs") != std::string::npos);
    CHECK(by_key["dmarc-alignment 192.0.2.10"]->action.find("sign with d=example.com") !=
          std::string::npos);
    CHECK(by_key["dmarc-alignment 192.0.2.11"]->action.find("add ip4:192.0.2.11") !=
          std::string::npos);
}

TEST_CASE("DMARC: reporters map to receiver scopes")
{
    CHECK(ingest::reporter_scope("Outlook.com", "dmarcreport@microsoft.com") ==
          "microsoft-consumer/outlook-com");
    CHECK(ingest::reporter_scope("Enterprise Outlook", "dmarcreport@microsoft.com") ==
          "microsoft-365");
    CHECK(ingest::reporter_scope("google.com", "noreply-dmarc-support@google.com") == "google");
    CHECK(ingest::reporter_scope("Yahoo", "dmarchelp@yahooinc.com") == "yahoo");
    CHECK(ingest::reporter_scope("Mimecast", "no-reply@au-1.mimecastreport.com") == "mimecast");
    CHECK(ingest::reporter_scope("zoho.com", "noreply-dmarc@zoho.com") == "zoho");
    CHECK(ingest::reporter_scope("Fastmail Pty Ltd", "noreply-dmarc@fastmail.com") ==
          "reporter/fastmail.com");
    CHECK(evidence::OurIps::of(ours("2001:db8::1")).contains("2001:DB8:0:0::1"));
    CHECK_FALSE(evidence::OurIps::of(ours("192.0.2.1")).contains("192.0.2.10"));
}
