// Evidence rows that stand for several observations (schema 009: observations, last_time) fold
// exactly like that many rows of one observation each: table-driven over confirmation settings,
// each stream stored once counted and once expanded, the episodes and key state compared.
#include "monitor/episodes/episode_builder.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/table_dump.hpp"
#include "tests/support/test_history.hpp"

#include <charconv>
#include <cstdio>
#include <doctest/doctest.h>
#include <optional>
#include <sstream>
#include <string>

using namespace smtpprobe;
using smtpprobe::test::TempDir;

namespace {

std::string minute(int m)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "2026-03-11T10:%02d:00Z", m);
    return buf;
}

// tokens: "b", "c4" (a clear row of 4 observations), "u"; one observation per minute.
// counted: one row per token; else one row per observation.
void store_stream(store::Database& db, const std::string& tokens, bool counted)
{
    std::istringstream in(tokens);
    std::string token;
    int at = 0;
    std::int64_t source = 0;
    while (in >> token) {
        std::string verdict = token[0] == 'b' ? "blocked" : token[0] == 'c' ? "clear" : "unknown";
        int n = 1;
        std::from_chars(token.data() + 1, token.data() + token.size(), n);
        int rows = counted ? 1 : n;
        for (int r = 0; r < rows; ++r) {
            int observations = counted ? n : 1;
            std::string time = minute(at);
            std::optional<std::string> last;
            if (observations > 1) {
                last = minute(at + observations - 1);
            }
            db.prepare("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                       "source_kind, source_id, observations, last_time) VALUES (?, '', "
                       "'google', ?, ?, ?, 'log', ?, ?, ?)")
                .bind(1, time)
                .bind(2, verdict)
                .bind(3, verdict == "blocked" ? "blocked" : "")
                .bind(4, verdict == "blocked" ? "TSS04" : "")
                .bind(5, ++source)
                .bind(6, std::int64_t{observations})
                .bind(7, last)
                .run();
            at += observations;
        }
    }
}

std::string built(const std::string& tokens, bool counted, config::EpisodeSettings settings)
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    store_stream(db, tokens, counted);
    episodes::rebuild_episodes(db, {settings, "192.0.2.1"});
    const test::DumpQuery queries[] = {
        {"SELECT ip, scope, opened, closed, reason, codes, evidence_count FROM episode "
         "ORDER BY opened",
         7},
        {"SELECT ip, scope, state, since, last_time, last_verdict, provider_code FROM "
         "episode_state",
         7}};
    return test::dump_queries(db, queries);
}

} // namespace

TEST_CASE("a counted clear row folds like that many clear rows")
{
    const char* const streams[] = {
        "b c3",          "b b c2 b c1 c4", "c5 b u c2 u c1 b", "b c1 c1 c1 b c9",
        "u b b c2 c2 b", "b3 c1 b1 c6",    "c2 c3 u u",
    };
    const config::EpisodeSettings settings[] = {{1, 1}, {1, 2}, {1, 3}, {2, 4}, {3, 5}, {1, 9}};
    for (const char* stream : streams) {
        for (const config::EpisodeSettings& s : settings) {
            CAPTURE(stream);
            CAPTURE(s.open_after);
            CAPTURE(s.close_after);
            std::string expanded = built(stream, false, s);
            CHECK(built(stream, true, s) == expanded);
        }
    }
    // And the closing time is the first observation of the confirming run: b at 10:00, a
    // clear row of 3 from 10:01, close_after 3 -> closed 10:01; close_after 4 -> still open.
    CHECK(built("b c3", true, {1, 3}).find("10:00:00Z|2026-03-11T10:01:00Z|") != std::string::npos);
    CHECK(built("b c3", true, {1, 4}).find("|NULL|blocked|") != std::string::npos);
}
