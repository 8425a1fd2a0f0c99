// Log ingestion's per-node state (schema 018): cursors keyed by (node, path), the pre-fleet
// cursor under node '' continued by exactly one node, the sender join per node, and the
// migration of a database written before fleets.
#include "monitor/store/ingest_state_rows.hpp"
#include "monitor/store/source_views.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;

namespace {

store::IngestCursorRow cursor(const std::string& node, const std::string& path, std::int64_t offset)
{
    return {node,
            path,
            "8:" + std::to_string(offset),
            offset,
            "sum" + std::to_string(offset),
            "2026-03-11T20:00:00Z",
            "first-line-" + node};
}

std::int64_t count(store::Database& db, const std::string& sql)
{
    store::Statement st(db, sql);
    st.step();
    return st.column_int(0);
}

// Puts a fully migrated history back into the shape of schema 017 (before fleets): the old
// ingest_cursor and ingest_message, no node columns, 018 not applied. Reopening migrates it.
void back_to_schema_17(store::Database& db)
{
    // 020 reads the node columns (re-applied after 018, as on an old database).
    for (const char* sql :
         {"DROP TABLE state_node", "DROP TABLE state_ip", "DROP TABLE state_node_ip",
          "DROP INDEX episode_state_state", "DROP INDEX probe_run_script",
          "DROP INDEX probe_run_node", "DELETE FROM schema_migration WHERE version = 20"}) {
        db.exec(sql);
    }
    db.exec("DROP TABLE ingest_cursor");
    db.exec("CREATE TABLE ingest_cursor (path TEXT PRIMARY KEY, identity TEXT NOT NULL, "
            "offset INTEGER NOT NULL, checksum TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "content_id TEXT NOT NULL DEFAULT '')");
    db.exec("DROP TABLE ingest_message");
    db.exec("CREATE TABLE ingest_message (host TEXT NOT NULL, queue_id TEXT NOT NULL, "
            "sender TEXT, size INTEGER, time TEXT NOT NULL, recipients_left INTEGER, "
            "PRIMARY KEY (host, queue_id)) WITHOUT ROWID");
    db.exec("CREATE INDEX ingest_message_time ON ingest_message(time)");
    for (const char* table : {"evidence", "delivery", "bounce", "probe_run", "dnsbl_check",
                              "hygiene_check", "finding"}) {
        db.exec(std::string("ALTER TABLE ") + table + " DROP COLUMN node");
    }
    db.exec("DELETE FROM schema_migration WHERE version = 18");
}

} // namespace

TEST_CASE("store: two nodes reading the same path keep separate ingest cursors")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    CHECK_FALSE(store::read_ingest_cursor(db, "mx1", "/var/log/mail.log"));
    store::write_ingest_cursor(db, cursor("mx1", "/var/log/mail.log", 100));
    store::write_ingest_cursor(db, cursor("mx2", "/var/log/mail.log", 7));
    store::write_ingest_cursor(db, cursor("mx1", "/var/log/mail.log", 250)); // mx1 reads on
    auto one = store::read_ingest_cursor(db, "mx1", "/var/log/mail.log");
    auto two = store::read_ingest_cursor(db, "mx2", "/var/log/mail.log");
    REQUIRE(one);
    REQUIRE(two);
    CHECK(one->node == "mx1");
    CHECK(one->offset == 250);
    CHECK(one->content_id == "first-line-mx1");
    CHECK(two->node == "mx2");
    CHECK(two->offset == 7);
    CHECK(two->checksum == "sum7");
    CHECK_FALSE(store::read_ingest_cursor(db, "mx3", "/var/log/mail.log"));
    const std::vector<store::IngestCursorRow> all = store::read_ingest_cursors(db);
    REQUIRE(all.size() == 2);
    CHECK(all[0].node == "mx1");
    CHECK(all[1].node == "mx2");
}

TEST_CASE("store: migration 018 keeps an old database's cursors and joins for the node that "
          "continues them")
{
    test::TempDir dir;
    const std::string path = dir.file("h.db");
    {
        store::Database db(path);
        back_to_schema_17(db);
        db.exec("INSERT INTO ingest_cursor (path, identity, offset, checksum, updated_at, "
                "content_id) VALUES ('/var/log/maillog', '8:42', 4096, 'abc', "
                "'2026-03-01T00:00:00Z', 'c1'), ('/var/log/exim/mainlog', '8:43', 12, 'def', "
                "'2026-03-01T00:00:00Z', 'c2')");
        db.exec("INSERT INTO ingest_message (host, queue_id, sender, size, time, "
                "recipients_left) VALUES ('', 'Q1', 'a@example.org', 1200, "
                "'2026-03-01T00:00:00Z', 2)");
        db.exec("INSERT INTO evidence (time, ip, scope, verdict, source_kind, source_id) "
                "VALUES ('2026-03-01T00:00:00Z', '192.0.2.1', 'google', 'clear', 'log', 1)");
    }
    store::Database db(path); // applies 018
    CHECK(db.schema_version() >= 18);
    CHECK(count(db, "SELECT count(*) FROM evidence WHERE node IS NULL") == 1); // unknown
    // The pre-fleet cursor, under node '', is where any node without its own starts.
    auto old = store::read_ingest_cursor(db, "mx1", "/var/log/maillog");
    REQUIRE(old);
    CHECK(old->node.empty());
    CHECK(old->offset == 4096);
    CHECK(old->identity == "8:42");
    CHECK(old->checksum == "abc");
    CHECK(old->content_id == "c1");
    // The first node to save the path's cursor takes it over: no other node continues from it.
    store::write_ingest_cursor(db, cursor("mx1", "/var/log/maillog", 5000));
    CHECK(store::read_ingest_cursor(db, "mx1", "/var/log/maillog")->offset == 5000);
    CHECK_FALSE(store::read_ingest_cursor(db, "mx2", "/var/log/maillog"));
    // The other path's old cursor is untouched.
    auto other = store::read_ingest_cursor(db, "mx2", "/var/log/exim/mainlog");
    REQUIRE(other);
    CHECK(other->offset == 12);
    // The old join is found, counted and removed by the node reading on.
    store::QueuedMessageRows joins(db, "mx1");
    auto join = joins.find("", "Q1");
    REQUIRE(join);
    CHECK(join->sender == "a@example.org");
    CHECK(join->size == 1200);
    CHECK(join->recipients_left == 2);
    joins.set_recipients_left("", "Q1", 1);
    CHECK(joins.find("", "Q1")->recipients_left == 1);
    joins.remove("", "Q1");
    CHECK_FALSE(joins.find("", "Q1"));
}

TEST_CASE("store: sender joins of two nodes with the same host and queue id stay apart")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    store::QueuedMessageRows one(db, "mx1");
    store::QueuedMessageRows two(db, "mx2");
    one.put("", "ABC123", "one@example.org", 10, "2026-03-11T20:00:00Z", -1);
    two.put("", "ABC123", "two@example.org", 20, "2026-03-11T20:00:01Z", 3);
    CHECK(one.find("", "ABC123")->sender == "one@example.org");
    CHECK(two.find("", "ABC123")->sender == "two@example.org");
    one.put("", "ABC123", "one-again@example.org", 11, "2026-03-11T20:00:02Z", -1);
    CHECK(one.find("", "ABC123")->size == 11);
    CHECK(two.find("", "ABC123")->size == 20);
    one.remove("", "ABC123");
    CHECK_FALSE(one.find("", "ABC123"));
    REQUIRE(two.find("", "ABC123"));
    CHECK(two.find("", "ABC123")->recipients_left == 3);
}
