// Issue 18 through HTTP, against `smtpprobe serve` on the dashboard fixture plus what the
// attention list adds (tests/support/dashboard_fixture.hpp): the overview leads with what needs
// attention (open block, open listing, backscatter from the log and from a DSN test, hygiene,
// stopped periodic work), the DNSBL answers carry listed since / delisted at / the delist URL,
// the evidence stream is in time order across pages, and a probe carries the meaning and action
// of its decisive reply.
#include "monitor/store/attention_rows.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/schedule_rows.hpp"
#include "tests/support/api_json.hpp"
#include "tests/support/dashboard_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace smtpprobe::test;
using Json = nlohmann::json;

namespace {

struct Served {
    // tasks: run_schedule rows {task, last_run, next_due} written before serve starts.
    explicit Served(const std::vector<smtpprobe::store::TaskRow>& tasks = {})
    {
        data = fill_dashboard_fixture(server.db_path());
        attention = add_attention_fixture(server.db_path());
        {
            smtpprobe::store::Database db(server.db_path());
            for (const auto& task : tasks) {
                smtpprobe::store::write_schedule(db, task.task,
                                                 {task.last_run, task.next_due, task.last_result});
            }
        }
        REQUIRE_MESSAGE(server.start(), server.log());
    }
    Json get_json(const std::string& target) { return get_api_json(server.port(), target); }
    ServedDashboard server;
    DashboardFixture data;
    AttentionFixture attention;
};

std::vector<Json> items_of(const Json& overview, const std::string& kind)
{
    std::vector<Json> out;
    for (const Json& item : overview["attention"]) {
        if (item["kind"] == kind) {
            out.push_back(item);
        }
    }
    return out;
}

} // namespace

TEST_CASE("overview leads with open blocks, listings, backscatter and hygiene, urgent first")
{
    Served s;
    Json overview = s.get_json("/api/overview");
    REQUIRE(overview["attention"].is_array());

    auto blocked = items_of(overview, "blocked");
    REQUIRE(blocked.size() == 1);
    CHECK(blocked[0]["scope"] == k_fixture_eur);
    CHECK(blocked[0]["ip"] == k_fixture_ip);
    CHECK(blocked[0]["since"] == "2026-03-11T20:18:23Z");
    CHECK(blocked[0]["episode_id"] == s.data.open_episode_id);
    CHECK(blocked[0]["urgent"] == true);
    CHECK(blocked[0]["detail"].get<std::string>().find("S3140") != std::string::npos);
    CHECK(!blocked[0]["action"].get<std::string>().empty());

    // The open listing is there; SpamCop, delisted, is not.
    auto listed = items_of(overview, "listed");
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["scope"] == k_fixture_zone);
    CHECK(listed[0]["since"] == "2026-03-11T21:00:00Z");

    // Two receipts in the log are one item with their count; the DSN test is its own item.
    auto receipts = items_of(overview, "backscatter");
    REQUIRE(receipts.size() == 1);
    CHECK(receipts[0]["count"] == 2);
    CHECK(receipts[0]["since"] == "2026-03-12T07:00:00Z");
    CHECK(receipts[0]["detail"] == "06FAFVbL012699: DSN: Return receipt");
    auto dsn = items_of(overview, "dsn-test");
    REQUIRE(dsn.size() == 1);
    CHECK(dsn[0]["probe_id"] == s.attention.dsn_test_probe_id);
    CHECK(dsn[0]["scope"] == "mx.example.org");

    // The fixture's hygiene check: SPF softfail, HELO not a PTR name.
    auto hygiene = items_of(overview, "hygiene");
    REQUIRE(hygiene.size() == 1);
    CHECK(hygiene[0]["urgent"] == false);
    CHECK(hygiene[0]["detail"].get<std::string>().find("SPF softfail") != std::string::npos);
    CHECK(hygiene[0]["detail"].get<std::string>().find("HELO mail.example.org") !=
          std::string::npos);

    // Urgent items first; no periodic work recorded, so nothing is stale.
    bool seen_minor = false;
    for (const Json& item : overview["attention"]) {
        CAPTURE(item.dump());
        if (item["urgent"] == false) {
            seen_minor = true;
        }
        CHECK((item["urgent"] == false || !seen_minor));
        CHECK(item["kind"] != "stale-task");
        CHECK(item["kind"] != "timer-stopped");
    }
}

TEST_CASE("overview says when the run timer stopped or one task went stale")
{
    SUBCASE("every task overdue: the timer stopped")
    {
        Served s(
            {{"probe:outlook.com:192.0.2.25", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", "ok"},
             {"dnsbl:192.0.2.25", "2026-01-01T00:05:00Z", "2026-01-01T00:35:00Z", "ok"}});
        Json overview = s.get_json("/api/overview");
        auto stopped = items_of(overview, "timer-stopped");
        REQUIRE(stopped.size() == 1);
        CHECK(stopped[0]["since"] == "2026-01-01T00:05:00Z");
        CHECK(stopped[0]["action"].get<std::string>().find("smtpprobe-run.timer") !=
              std::string::npos);
        CHECK(items_of(overview, "stale-task").empty());
    }
    SUBCASE("one task overdue while the others run: that task is stale")
    {
        Served s({{"probe:outlook.com:192.0.2.25", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z",
                   "failed: connect"},
                  {"dnsbl:192.0.2.25", "2099-01-01T00:00:00Z", "2099-01-01T00:30:00Z", "ok"}});
        Json overview = s.get_json("/api/overview");
        CHECK(items_of(overview, "timer-stopped").empty());
        auto stale = items_of(overview, "stale-task");
        REQUIRE(stale.size() == 1);
        CHECK(stale[0]["title"].get<std::string>().find("probe:outlook.com:192.0.2.25") !=
              std::string::npos);
        CHECK(stale[0]["detail"].get<std::string>().find("failed: connect") != std::string::npos);
    }
}

TEST_CASE("dnsbl answers carry listed since, delisted at and the zone's delist URL")
{
    Served s;
    Json dnsbl = s.get_json("/api/dnsbl?ip=192.0.2.25");
    std::map<std::string, Json> by_zone;
    for (const Json& row : dnsbl["latest"]) {
        by_zone[row["zone"].get<std::string>()] = row;
    }
    REQUIRE(by_zone.count("zen.spamhaus.org") == 1);
    REQUIRE(by_zone.count("bl.spamcop.net") == 1);
    const Json& zen = by_zone["zen.spamhaus.org"];
    CHECK(zen["state"] == "blocked");
    CHECK(zen["listed_since"] == "2026-03-11T21:00:00Z");
    CHECK(zen["delisted_at"].is_null());
    REQUIRE(zen["delist_url"].is_string());
    CHECK(zen["delist_url"].get<std::string>().starts_with("https://"));
    const Json& spamcop = by_zone["bl.spamcop.net"];
    CHECK(spamcop["result"] == "clean");
    CHECK(spamcop["state"] == "clear");
    CHECK(spamcop["listed_since"].is_null());
    CHECK(spamcop["delisted_at"] == "2026-03-11T21:00:00Z");
    CHECK(spamcop["delist_url"].is_string());
}

TEST_CASE("evidence is newest first by time across pages, a late older row in its place")
{
    Served s;
    std::vector<std::string> times;
    std::set<long long> ids;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
        Json rows = s.get_json("/api/evidence?limit=2" + cursor);
        for (const Json& row : rows["evidence"]) {
            times.push_back(row["time"]);
            CHECK(ids.insert(row["id"].get<long long>()).second); // never twice
        }
        if (rows["evidence"].size() < 2) {
            break;
        }
        cursor = "&before=" + std::to_string(rows["next_before"].get<long long>());
    }
    CHECK(ids.size() == 10); // six of the story, three DNSBL answers, the late log line
    CHECK(ids.count(s.attention.late_evidence_id) == 1);
    for (std::size_t i = 1; i < times.size(); ++i) {
        CAPTURE(i);
        CHECK(times[i - 1] >= times[i]);
    }
    // The late row (the highest id) is the oldest, so it comes last, not first.
    REQUIRE(!times.empty());
    CHECK(times.back() == "2026-03-10T08:00:00Z");
    // Paging back up from it with after= gives the rows just newer than it, newest first.
    Json newer =
        s.get_json("/api/evidence?limit=2&after=" + std::to_string(s.attention.late_evidence_id));
    REQUIRE(newer["evidence"].size() == 2);
    CHECK(newer["evidence"][0]["time"] == "2026-03-10T21:00:00Z");
    CHECK(newer["evidence"][1]["time"] == "2026-03-10T14:02:11Z");
}

TEST_CASE("a probe carries the meaning and the action of its decisive reply")
{
    Served s;
    Json probe = s.get_json("/api/probes/" + std::to_string(s.data.blocked_probe_id));
    REQUIRE(probe["explanation"].is_object());
    CHECK(probe["explanation"]["provider_code"] == "S3140");
    CHECK(!probe["explanation"]["meaning"].get<std::string>().empty());
    CHECK(probe["explanation"]["action"].get<std::string>().find("https://") != std::string::npos);
}
