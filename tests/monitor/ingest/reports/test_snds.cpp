// SNDS feeds (snds_feed.hpp) and what they mean (snds_apply.hpp): both CSV feeds with and
// without a header, malformed rows, range containment, and against a real store the evidence
// for our IPs, the reputation signals and the findings on change.
#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/ingest/reports/snds_apply.hpp"
#include "monitor/ingest/reports/snds_feed.hpp"
#include "monitor/store/snds_store.hpp"
#include "tests/monitor/ingest/reports/report_data.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;
using namespace smtpprobe::test;

namespace {

ingest::SndsFeed feed_of(const std::string& name)
{
    return ingest::parse_snds_feed(read_file(report_data("snds/" + name)));
}

config::Config identities(std::initializer_list<const char*> ips)
{
    config::Config c;
    for (const char* ip : ips) {
        c.identities.push_back({ip, ip, "mail.example.org", "postmaster@example.org"});
    }
    return c;
}

ingest::SndsApplied apply(store::Database& db, const config::Config& c, const std::string& name,
                          const std::string& time, bool status)
{
    store::Transaction tx(db);
    const auto fetch = store::add_snds_fetch(db, time, "file", name, "ok", name, 0, 0);
    auto applied = ingest::apply_snds(db, c, feed_of(name), fetch, time, status);
    tx.commit();
    return applied;
}

std::vector<std::string> evidence_rows(store::Database& db)
{
    std::vector<std::string> out;
    store::Statement st(db, "SELECT ip || ' ' || scope || ' ' || verdict || ' ' || "
                            "coalesce(provider_code, '-') FROM evidence ORDER BY id");
    while (st.step()) {
        out.push_back(st.column_text(0));
    }
    return out;
}

std::vector<std::string> finding_kinds(store::Database& db)
{
    std::vector<std::string> out;
    store::Statement st(db, "SELECT kind FROM finding ORDER BY id");
    while (st.step()) {
        out.push_back(st.column_text(0));
    }
    return out;
}

} // namespace

TEST_CASE("SNDS: the IP status feed, blocked and junked ranges")
{
    const auto f = feed_of("ip-status-blocked.csv");
    REQUIRE(f.status.size() == 2);
    CHECK(f.status[0].first_ip == "192.0.2.0");
    CHECK(f.status[0].last_ip == "192.0.2.15");
    CHECK(f.status[0].blocked);
    CHECK(f.status[0].reason == "Blocked due to user complaints or other evidence of spamming");
    CHECK_FALSE(f.status[1].blocked);
    CHECK(f.malformed.empty());
    // The newer export says True/False.
    const auto t = ingest::parse_snds_feed(
        "176.119.155.0,176.119.155.255,True,Blocked due to user complaints\n");
    REQUIRE(t.status.size() == 1);
    CHECK(t.status[0].blocked);
}

TEST_CASE("SNDS: the data feed, headerless and with a header naming the columns")
{
    auto f = feed_of("data-red.csv");
    REQUIRE(f.data.size() == 1);
    const auto& r = f.data[0];
    CHECK(r.ip == "192.0.2.10");
    CHECK(r.start == "2026-05-02T00:00:00Z");
    CHECK(r.end == "2026-05-02T23:59:00Z");
    CHECK(r.rcpt_commands == 1400);
    CHECK(r.data_commands == 1350);
    CHECK(r.recipients == 1500);
    CHECK(r.filter == "RED");
    CHECK(r.complaint_rate == "0.4%");
    CHECK(r.complaint_percent == doctest::Approx(0.4));
    CHECK(r.trap_start == "2026-05-02T08:07:00Z");
    CHECK(r.trap_end == "2026-05-02T12:03:00Z");
    CHECK(r.trap_hits == 3);
    CHECK(r.sample_helo == "mail.example.org");
    CHECK(r.sample_mail_from == "postmaster@example.org");
    f = feed_of("data-header.csv");
    REQUIRE(f.data.size() == 1);
    CHECK(f.data[0].start == "2026-05-03T01:00:00Z");
    CHECK(f.data[0].rcpt_commands == 10);
    CHECK(f.data[0].data_commands == 8);
    CHECK(f.data[0].recipients == 7);
    CHECK(f.data[0].filter == "YELLOW");
    CHECK(f.data[0].trap_start == "2026-05-03T02:00:00Z");
    CHECK(f.data[0].sample_mail_from == "yes");
    CHECK(f.data[0].comments == "ok");
}

TEST_CASE("SNDS: malformed rows are skipped with their line and reason, good rows kept")
{
    const auto f = feed_of("data-malformed.csv");
    REQUIRE(f.malformed.size() == 3);
    CHECK(f.malformed[0].line == 1);
    CHECK(f.malformed[0].why.find("not a number") != std::string::npos);
    CHECK(f.malformed[1].line == 2);
    CHECK(f.malformed[2].why.find("GREEN, YELLOW or RED") != std::string::npos);
    REQUIRE(f.data.size() == 1);
    CHECK(f.data[0].start == "2026-05-05T00:00:00Z");
    const auto html = ingest::parse_snds_feed("<html><body>Sign in</body></html>\n",
                                              ingest::SndsFeedKind::ip_status);
    CHECK(html.status.empty());
    CHECK(html.malformed.size() == 1);
}

TEST_CASE("SNDS: ranges contain IPs of their own family only, times convert to ISO")
{
    CHECK(ingest::ip_in_range("192.0.2.10", "192.0.2.0", "192.0.2.15"));
    CHECK_FALSE(ingest::ip_in_range("192.0.2.16", "192.0.2.0", "192.0.2.15"));
    CHECK(ingest::ip_in_range("2001:db8::5", "2001:db8::", "2001:db8::ff"));
    CHECK_FALSE(ingest::ip_in_range("192.0.2.10", "2001:db8::", "2001:db8::ff"));
    CHECK_FALSE(ingest::ip_in_range("x", "192.0.2.0", "192.0.2.15"));
    CHECK(ingest::snds_time_to_iso("12/31/2019 8:00 PM") == "2019-12-31T20:00:00Z");
    CHECK(ingest::snds_time_to_iso("1/2/2020 12:05 AM") == "2020-01-02T00:05:00Z");
    CHECK(ingest::snds_time_to_iso("13/2/2020 1:00 AM").empty());
    CHECK(ingest::snds_time_to_iso("").empty());
}

TEST_CASE("SNDS: a blocked range covering our IP is blocked evidence for Outlook.com")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    const auto c = identities({"192.0.2.10", "198.51.100.7", "203.0.113.5"});
    apply(db, c, "data-green.csv", "2026-05-02T06:00:00Z", false);
    const auto applied = apply(db, c, "ip-status-blocked.csv", "2026-05-02T07:00:00Z", true);
    CHECK(applied.blocked_ips == std::vector<std::string>{"192.0.2.10"});
    // 192.0.2.10: blocked; 198.51.100.7: a junk range covers it (not blocked: clear, and a
    // finding); 203.0.113.5: the account does not know it, so nothing.
    CHECK(evidence_rows(db) ==
          std::vector<std::string>{"192.0.2.10 microsoft-consumer/outlook-com blocked SNDS",
                                   "198.51.100.7 microsoft-consumer/outlook-com clear -"});
    CHECK(finding_kinds(db) == std::vector<std::string>{"snds-junked"});
    store::Statement st(db, "SELECT reason FROM snds_ip_state WHERE verdict = 'blocked'");
    REQUIRE(st.step());
    CHECK(st.column_text(0) == "Blocked due to user complaints or other evidence of spamming");
    CHECK(ingest::snds_block_action(st.column_text(0)).find("https://sender.office.com/") !=
          std::string::npos);
}

TEST_CASE("SNDS: a normal status is clear for the IPs the account knows")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    const auto c = identities({"192.0.2.10", "203.0.113.5"});
    apply(db, c, "ip-status-normal.csv", "2026-05-01T06:00:00Z", true);
    CHECK(evidence_rows(db).empty()); // nothing known yet: silence proves nothing
    apply(db, c, "data-green.csv", "2026-05-02T06:00:00Z", false);
    apply(db, c, "ip-status-normal.csv", "2026-05-02T07:00:00Z", true);
    CHECK(evidence_rows(db) ==
          std::vector<std::string>{"192.0.2.10 microsoft-consumer/outlook-com clear -"});
    CHECK(finding_kinds(db).empty()); // GREEN first seen is no finding
}

TEST_CASE("SNDS: a RED filter, trap hits and complaints are findings once, on change")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    const auto c = identities({"192.0.2.10"});
    apply(db, c, "data-green.csv", "2026-05-02T06:00:00Z", false);
    auto red = apply(db, c, "data-red.csv", "2026-05-03T06:00:00Z", false);
    CHECK(red.new_data_rows == 1);
    CHECK(red.findings == 3);
    CHECK(finding_kinds(db) ==
          std::vector<std::string>{"snds-filter", "snds-traps", "snds-complaints"});
    store::Statement st(db, "SELECT detail, action, ip FROM finding WHERE kind = 'snds-filter'");
    REQUIRE(st.step());
    CHECK(st.column_text(0).find("GREEN -> RED") != std::string::npos);
    CHECK(st.column_text(1).find("RED") != std::string::npos);
    CHECK(st.column_text(2) == "192.0.2.10");
    // The same period again: nothing new.
    red = apply(db, c, "data-red.csv", "2026-05-03T07:00:00Z", false);
    CHECK(red.new_data_rows == 0);
    CHECK(red.findings == 0);
    // The next day YELLOW (header export): one more filter change.
    const auto yellow = apply(db, c, "data-header.csv", "2026-05-04T06:00:00Z", false);
    CHECK(yellow.findings == 1);
}
