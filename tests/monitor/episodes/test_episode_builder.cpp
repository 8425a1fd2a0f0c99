// Evidence → episodes: the rules (confirmations, unknown changes nothing, opened/closed times)
// table-driven, and the property that incremental building equals a full rebuild over random
// evidence streams, including late (out-of-order) evidence.
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/episodes/episode_rows.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <cstdio>
#include <doctest/doctest.h>
#include <random>
#include <tuple>

using namespace smtpprobe;
using smtpprobe::test::TempDir;

namespace {

void add(store::Database& db, const std::string& time, const std::string& ip,
         const std::string& scope, const std::string& verdict, const std::string& code = "")
{
    static std::int64_t source = 0;
    db.prepare("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
               "source_kind, source_id) VALUES (?, ?, ?, ?, ?, ?, 'log', ?)")
        .bind(1, time)
        .bind(2, ip)
        .bind(3, scope)
        .bind(4, verdict)
        .bind(5, verdict == "blocked" ? "blocked" : (verdict == "clear" ? "delivered" : ""))
        .bind(6, code)
        .bind(7, ++source)
        .run();
}

using Row = std::tuple<std::string, std::string, std::string, std::string, std::int64_t,
                       std::int64_t, std::string, std::string, std::int64_t>;

std::vector<Row> episodes_of(store::Database& db)
{
    store::Statement st(db, "SELECT ip, scope, opened, coalesce(closed, 'open'), first_evidence, "
                            "last_evidence, reason, codes, evidence_count FROM episode "
                            "ORDER BY ip, scope, opened");
    std::vector<Row> rows;
    while (st.step()) {
        rows.emplace_back(st.column_text(0), st.column_text(1), st.column_text(2),
                          st.column_text(3), st.column_int(4), st.column_int(5), st.column_text(6),
                          st.column_text(7), st.column_int(8));
    }
    return rows;
}

std::vector<std::string> states_of(store::Database& db)
{
    store::Statement st(db, "SELECT ip || '|' || scope || '|' || state || '|' || "
                            "coalesce(since, '-') || '|' || machine || '|' || "
                            "coalesce(provider_code, '') FROM episode_state ORDER BY ip, scope");
    std::vector<std::string> rows;
    while (st.step()) {
        rows.push_back(st.column_text(0));
    }
    return rows;
}

std::string t(int minute)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "2026-03-11T%02d:%02d:00Z", 10 + minute / 60, minute % 60);
    return buf;
}

} // namespace

TEST_CASE("confirmations: opened and closed are the first of the confirming run")
{
    struct Case {
        int open_after;
        int close_after;
        std::string verdicts; // b blocked, c clear, u unknown; one per minute
        std::vector<std::pair<std::string, std::string>> expected; // opened, closed|open
    };
    std::vector<Case> cases = {
        {1, 1, "bbc", {{t(0), t(2)}}},
        {1, 1, "cbuuc", {{t(1), t(4)}}},   // unknown changes nothing
        {2, 1, "bcbc", {}},                // never two blocked in a row
        {2, 1, "bubc", {{t(0), t(3)}}},    // unknown does not break the run
        {2, 2, "bbcbccc", {{t(0), t(4)}}}, // blocked breaks the clear run
        {3, 1, "bbbbb", {{t(0), "open"}}},
        {1, 2, "bcbcb", {{t(0), "open"}}}, // flapping never closes
        {1, 1, "bcbc", {{t(0), t(1)}, {t(2), t(3)}}},
        {1, 1, "uuu", {}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.verdicts);
        CAPTURE(c.open_after);
        TempDir dir;
        store::Database db(smtpprobe::test::test_history(dir, "h.db"));
        for (std::size_t i = 0; i < c.verdicts.size(); ++i) {
            char v = c.verdicts[i];
            add(db, t(static_cast<int>(i)), "192.0.2.1", "google",
                v == 'b' ? "blocked" : (v == 'c' ? "clear" : "unknown"));
        }
        episodes::BuildOptions options{{c.open_after, c.close_after}, ""};
        episodes::update_episodes(db, options);
        auto rows = episodes_of(db);
        REQUIRE(rows.size() == c.expected.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            CHECK(std::get<2>(rows[i]) == c.expected[i].first);
            CHECK(std::get<3>(rows[i]) == c.expected[i].second);
        }
    }
}

TEST_CASE("evidence without a sending IP goes to the configured identity, scopes stay apart")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    add(db, t(0), "", "microsoft-consumer/eur", "blocked", "S3140");
    add(db, t(1), "192.0.2.1", "microsoft-consumer/hotmail-com", "clear");
    add(db, t(2), "192.0.2.1", "microsoft-consumer/eur", "blocked", "S3150");
    episodes::update_episodes(db, episodes::BuildOptions{{1, 1}, "192.0.2.1"});
    auto rows = episodes_of(db);
    REQUIRE(rows.size() == 1);
    CHECK(std::get<0>(rows[0]) == "192.0.2.1");
    CHECK(std::get<1>(rows[0]) == "microsoft-consumer/eur");
    CHECK(std::get<3>(rows[0]) == "open");
    CHECK(std::get<7>(rows[0]) == R"(["S3140","S3150"])");
    CHECK(std::get<8>(rows[0]) == 2);
}

TEST_CASE("changed confirmations rebuild everything")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    add(db, t(0), "192.0.2.1", "yahoo", "blocked");
    add(db, t(1), "192.0.2.1", "yahoo", "clear");
    CHECK(episodes::update_episodes(db, episodes::BuildOptions{{1, 1}, ""}).full_rebuild);
    CHECK(episodes_of(db).size() == 1);
    CHECK_FALSE(episodes::update_episodes(db, episodes::BuildOptions{{1, 1}, ""}).full_rebuild);
    auto result = episodes::update_episodes(db, episodes::BuildOptions{{2, 1}, ""});
    CHECK(result.full_rebuild);
    CHECK(episodes_of(db).empty());
}

TEST_CASE("incremental building equals a full rebuild over random evidence streams")
{
    std::mt19937 rng(20260311);
    const std::vector<std::string> ips = {"192.0.2.1", "", "2001:db8::1"};
    const std::vector<std::string> scopes = {"microsoft-consumer/eur", "google",
                                             "dnsbl/zen.spamhaus.org"};
    const std::vector<std::string> verdicts = {"blocked", "clear", "unknown"};
    const std::vector<std::string> codes = {"", "S3140", "TSS04", ""};
    std::int64_t late_keys = 0;
    for (int round = 0; round < 40; ++round) {
        CAPTURE(round);
        TempDir dir;
        store::Database db(smtpprobe::test::test_history(dir, "h.db"));
        episodes::BuildOptions options{
            {1 + static_cast<int>(rng() % 3), 1 + static_cast<int>(rng() % 3)},
            round % 2 ? "192.0.2.1" : ""};
        int batches = 1 + static_cast<int>(rng() % 8);
        for (int b = 0; b < batches; ++b) {
            int count = static_cast<int>(rng() % 25);
            for (int i = 0; i < count; ++i) {
                // Mostly moving forward in time, sometimes late evidence, sometimes ties.
                int minute = (rng() % 5 == 0) ? static_cast<int>(rng() % 200)
                                              : b * 30 + static_cast<int>(rng() % 30);
                add(db, t(minute), ips[rng() % ips.size()], scopes[rng() % scopes.size()],
                    verdicts[rng() % verdicts.size()], codes[rng() % codes.size()]);
            }
            late_keys += episodes::update_episodes(db, options).keys_rebuilt;
        }
        auto incremental = episodes_of(db);
        auto incremental_states = states_of(db);
        auto result = episodes::rebuild_episodes(db, options);
        CHECK(result.full_rebuild);
        CHECK(episodes_of(db) == incremental);
        CHECK(states_of(db) == incremental_states);
        // A second update after the rebuild finds nothing new and changes nothing.
        CHECK(episodes::update_episodes(db, options).evidence_folded == 0);
        CHECK(episodes_of(db) == incremental);
    }
    // The streams did exercise the late-evidence path.
    CHECK(late_keys > 0);
}
