// The evidence writer's counted log successes (monitor/evidence/evidence_writer.hpp): which
// successes open a clear row and which are counted on one, table-driven: per case a sequence
// of evidence items (and where the writer is flushed, as at a commit), and the rows expected
// in id order.
#include "monitor/evidence/evidence_writer.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe;
using smtpprobe::evidence::EvidenceWriter;
using smtpprobe::test::TempDir;

namespace {

struct Item {
    const char* time;
    const char* ip;
    const char* scope;
    const char* verdict;
    bool write_after = false; // a commit after this item
};

struct Row {
    std::string time;
    std::string ip;
    std::string scope;
    std::string verdict;
    std::int64_t source_id; // 1-based index of the item that opened the row
    std::int64_t observations;
    std::string last_time; // "" for NULL
};

// Rows as text, one per line, so a failure shows both sides readably.
std::string text(const std::vector<Row>& rows)
{
    std::string out;
    for (const Row& r : rows) {
        out += r.time + " " + r.ip + " " + r.scope + " " + r.verdict + " #" +
               std::to_string(r.source_id) + " x" + std::to_string(r.observations) + " " +
               r.last_time + "\n";
    }
    return out;
}

evidence::Decision decision_of(const char* ip, const char* scope, const char* verdict)
{
    evidence::Decision decision;
    decision.recorded = true;
    decision.ip = ip;
    decision.scope = scope;
    decision.verdict = *evidence::parse_verdict(verdict);
    decision.reason = std::string_view(verdict) == "blocked" ? "blocked" : "";
    return decision;
}

std::string run(const std::vector<Item>& items, const std::string& unnamed_ip = {})
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    store::Transaction tx(db);
    EvidenceWriter batch(db, "node-a", unnamed_ip);
    std::int64_t id = 0;
    for (const Item& item : items) {
        batch.record(item.time, evidence::SourceKind::log, ++id,
                     decision_of(item.ip, item.scope, item.verdict));
        if (item.write_after) {
            batch.write();
        }
    }
    batch.write();
    tx.commit();
    std::vector<Row> rows;
    store::Statement st(db, "SELECT time, ip, scope, verdict, source_id, observations, "
                            "coalesce(last_time, '') FROM evidence WHERE source_kind = 'log' "
                            "ORDER BY id");
    while (st.step()) {
        rows.push_back(Row{st.column_text(0), st.column_text(1), st.column_text(2),
                           st.column_text(3), st.column_int(4), st.column_int(5),
                           st.column_text(6)});
    }
    return text(rows);
}

constexpr const char* k_ms = "microsoft-consumer/eur";
constexpr const char* k_gmail = "gmail";

} // namespace

TEST_CASE("evidence writer: successes counted on one clear row, a new row where the picture "
          "changes")
{
    struct Case {
        const char* name;
        std::vector<Item> items;
        std::vector<Row> rows;
    };
    const Case cases[] = {
        {"consecutive successes of one IP and scope: one row",
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:02Z", "", k_ms, "clear"},
          {"2026-01-31T10:59:59Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear", 1, 3, "2026-01-31T10:59:59Z"}}},
        {"the first success after a block gets its own row",
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:02Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:03Z", "", k_ms, "blocked"},
          {"2026-01-31T10:00:04Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:05Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear", 1, 2, "2026-01-31T10:00:02Z"},
          {"2026-01-31T10:00:03Z", "", k_ms, "blocked", 3, 1, ""},
          {"2026-01-31T10:00:04Z", "", k_ms, "clear", 4, 2, "2026-01-31T10:00:05Z"}}},
        {"unknown evidence of the scope ends the row too",
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:02Z", "", k_ms, "unknown"},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear", 1, 1, ""},
          {"2026-01-31T10:00:02Z", "", k_ms, "unknown", 2, 1, ""},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear", 3, 1, ""}}},
        {"evidence of another scope does not",
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:02Z", "", k_gmail, "blocked"},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear", 1, 2, "2026-01-31T10:00:03Z"},
          {"2026-01-31T10:00:02Z", "", k_gmail, "blocked", 2, 1, ""}}},
        {"per IP rows; a block from any IP of the scope ends them all",
         {{"2026-01-31T10:00:01Z", "192.0.2.1", k_ms, "clear"},
          {"2026-01-31T10:00:02Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:03Z", "192.0.2.1", k_ms, "clear"},
          {"2026-01-31T10:00:04Z", "192.0.2.9", k_ms, "blocked"},
          {"2026-01-31T10:00:05Z", "192.0.2.1", k_ms, "clear"},
          {"2026-01-31T10:00:06Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:01Z", "192.0.2.1", k_ms, "clear", 1, 2, "2026-01-31T10:00:03Z"},
          {"2026-01-31T10:00:02Z", "", k_ms, "clear", 2, 1, ""},
          {"2026-01-31T10:00:04Z", "192.0.2.9", k_ms, "blocked", 4, 1, ""},
          {"2026-01-31T10:00:05Z", "192.0.2.1", k_ms, "clear", 5, 1, ""},
          {"2026-01-31T10:00:06Z", "", k_ms, "clear", 6, 1, ""}}},
        {"a new UTC hour opens a heartbeat row",
         {{"2026-01-31T10:59:59Z", "", k_ms, "clear"},
          {"2026-01-31T11:00:00Z", "", k_ms, "clear"},
          {"2026-01-31T11:00:01Z", "", k_ms, "clear"},
          {"2026-02-01T11:00:02Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:59:59Z", "", k_ms, "clear", 1, 1, ""},
          {"2026-01-31T11:00:00Z", "", k_ms, "clear", 2, 2, "2026-01-31T11:00:01Z"},
          {"2026-02-01T11:00:02Z", "", k_ms, "clear", 4, 1, ""}}},
        {"a clock step back opens a row (last_time never before time)",
         {{"2026-01-31T10:00:05Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:04Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:05Z", "", k_ms, "clear", 1, 1, ""},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear", 2, 2, "2026-01-31T10:00:04Z"}}},
        {"successes in the same second: no distinct last time",
         {{"2026-01-31T10:00:05Z", "", k_ms, "clear"}, {"2026-01-31T10:00:05Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:05Z", "", k_ms, "clear", 1, 2, ""}}},
        {"a commit closes the rows: the next transaction starts new ones",
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:02Z", "", k_ms, "clear", true},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear"}},
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear", 1, 2, "2026-01-31T10:00:02Z"},
          {"2026-01-31T10:00:03Z", "", k_ms, "clear", 3, 1, ""}}},
        {"rows keep the order of the items that opened them (same-second folds)",
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:01Z", "", k_gmail, "blocked"},
          {"2026-01-31T10:00:01Z", "", k_ms, "clear"},
          {"2026-01-31T10:00:01Z", "", k_gmail, "clear"}},
         {{"2026-01-31T10:00:01Z", "", k_ms, "clear", 1, 2, ""},
          {"2026-01-31T10:00:01Z", "", k_gmail, "blocked", 2, 1, ""},
          {"2026-01-31T10:00:01Z", "", k_gmail, "clear", 4, 1, ""}}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        CHECK(run(c.items) == text(c.rows));
    }
}

TEST_CASE("evidence writer: bounded memory, every item written once, a discard drops the batch")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    store::Transaction tx(db);
    EvidenceWriter batch(db, "node-a");
    std::int64_t id = 0;
    for (std::size_t i = 0; i < EvidenceWriter::k_max_pending * 2 + 5; ++i) {
        // Alternating verdicts: every item is a row of its own.
        batch.record("2026-01-31T10:00:01Z", evidence::SourceKind::log, ++id,
                     decision_of("", k_ms, i % 2 ? "clear" : "unknown"));
        CHECK(batch.pending() <= EvidenceWriter::k_max_pending);
    }
    batch.record("2026-01-31T10:00:02Z", evidence::SourceKind::log, ++id,
                 decision_of("", k_gmail, "clear"));
    batch.discard();
    batch.write();
    tx.commit();
    store::Statement st(db, "SELECT count(*), sum(observations), count(DISTINCT source_id) FROM "
                            "evidence");
    REQUIRE(st.step());
    std::int64_t written = st.column_int(0);
    // Whatever was written before the discard is whole rows; nothing after it.
    CHECK(written >= static_cast<std::int64_t>(EvidenceWriter::k_max_pending * 2));
    CHECK(written < id);
    CHECK(st.column_int(1) == written);
    CHECK(st.column_int(2) == written);
}

TEST_CASE("evidence writer: evidence naming no IP is the reading node's single identity's")
{
    // A Postfix line never names the sending IP: written as the node's identity (unnamed_ip),
    // so in a fleet each node's log evidence is its own IP's; an item naming that same IP
    // counts on the same row, another IP keeps its own.
    const std::string rows = run({{"2026-01-31T10:00:01Z", "", k_ms, "clear"},
                                  {"2026-01-31T10:00:02Z", "", k_ms, "clear"},
                                  {"2026-01-31T10:00:03Z", "198.51.100.7", k_ms, "clear"},
                                  {"2026-01-31T10:00:04Z", "192.0.2.9", k_ms, "clear"},
                                  {"2026-01-31T10:00:05Z", "", k_ms, "blocked"}},
                                 "192.0.2.9");
    CHECK(rows ==
          text({{"2026-01-31T10:00:01Z", "192.0.2.9", k_ms, "clear", 1, 3, "2026-01-31T10:00:04Z"},
                {"2026-01-31T10:00:03Z", "198.51.100.7", k_ms, "clear", 3, 1, ""},
                {"2026-01-31T10:00:05Z", "192.0.2.9", k_ms, "blocked", 5, 1, ""}}));
    // Without one (no identity, or several), it stays unattributed.
    CHECK(run({{"2026-01-31T10:00:01Z", "", k_ms, "blocked"}}) ==
          text({{"2026-01-31T10:00:01Z", "", k_ms, "blocked", 1, 1, ""}}));
}
