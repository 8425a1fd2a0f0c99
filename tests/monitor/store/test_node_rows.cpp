// node_run (schema 017): each node's latest `run` tick; a failed tick keeps the last success.
#include "monitor/store/node_rows.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;

TEST_CASE("node runs: a successful tick sets last_success, a failed one keeps it")
{
    test::TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    CHECK(store::read_node_runs(db).empty());
    store::record_node_run(db,
                           {"mx2", "2026-03-11T20:00:00Z", "2026-03-11T20:00:05Z", "", "ok", 900});
    store::record_node_run(
        db, {"mx1", "2026-03-11T20:01:00Z", "2026-03-11T20:01:09Z", "", "failed: logs", 300});
    store::record_node_run(db, {"mx2", "2026-03-11T20:15:00Z", "2026-03-11T20:15:04Z", "ignored",
                                "failed: dnsbl, snds", 600});
    const std::vector<store::NodeRunRow> rows = store::read_node_runs(db);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].node == "mx1");
    CHECK(rows[0].last_success.empty()); // never succeeded
    CHECK(rows[0].last_result == "failed: logs");
    CHECK(rows[1].node == "mx2");
    CHECK(rows[1].last_started == "2026-03-11T20:15:00Z");
    CHECK(rows[1].last_finished == "2026-03-11T20:15:04Z");
    CHECK(rows[1].last_success == "2026-03-11T20:00:05Z");
    CHECK(rows[1].last_result == "failed: dnsbl, snds");
    CHECK(rows[1].interval_seconds == 600);
    store::record_node_run(db,
                           {"mx2", "2026-03-11T20:30:00Z", "2026-03-11T20:30:02Z", "", "ok", 600});
    CHECK(store::read_node_runs(db)[1].last_success == "2026-03-11T20:30:02Z");
}
