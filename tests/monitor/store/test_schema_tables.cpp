// The history's tables and keys as the migrations define them (schema_tables.hpp): the
// generic copy walks exactly these, in an order that satisfies the foreign keys.
#include "monitor/store/database.hpp"
#include "monitor/store/schema_tables.hpp"
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace smtpprobe;
using store::HistoryTable;

namespace {

const HistoryTable* find(const std::vector<HistoryTable>& tables, const std::string& name)
{
    auto it = std::find_if(tables.begin(), tables.end(),
                           [&](const HistoryTable& t) { return t.name == name; });
    return it == tables.end() ? nullptr : &*it;
}

std::size_t position(const std::vector<HistoryTable>& tables, const std::string& name)
{
    for (std::size_t i = 0; i < tables.size(); ++i) {
        if (tables[i].name == name) {
            return i;
        }
    }
    FAIL("no table " << name);
    return 0;
}

} // namespace

TEST_CASE("schema tables: every table of the embedded migrations, with its primary key")
{
    const std::vector<HistoryTable>& tables = store::history_tables();
    // Every CREATE TABLE of schema/ less every DROP TABLE (018 rebuilds two tables under a new
    // name, drops the old and renames the new: one table each).
    std::size_t creates = 0;
    std::size_t drops = 0;
    for (const store::Migration& m : store::migrations()) {
        for (std::size_t at = m.sql.find("CREATE TABLE"); at != std::string_view::npos;
             at = m.sql.find("CREATE TABLE", at + 1)) {
            ++creates;
        }
        for (std::size_t at = m.sql.find("DROP TABLE"); at != std::string_view::npos;
             at = m.sql.find("DROP TABLE", at + 1)) {
            ++drops;
        }
    }
    CHECK(drops == 2);
    CHECK(tables.size() == creates - drops);
    CHECK(tables.front().name == "probe_run");
    CHECK(find(tables, "schema_migration") == nullptr);
    for (const HistoryTable& t : tables) {
        CAPTURE(t.name);
        CHECK(store::is_plain_identifier(t.name));
        CHECK_FALSE(t.key.empty()); // every table has one: the dump order is total
    }
    CHECK(find(tables, "probe_run")->key == std::vector<std::string>{"id"});
    CHECK(find(tables, "probe_step")->key == std::vector<std::string>{"run_id", "seq"});
    CHECK(find(tables, "ingest_cursor")->key == std::vector<std::string>{"node", "path"});
    CHECK(find(tables, "ingest_message")->key ==
          std::vector<std::string>{"node", "host", "queue_id"});
    CHECK(find(tables, "ingest_cursor_018") == nullptr);
    CHECK(find(tables, "alert_delivery")->key == std::vector<std::string>{"event_id", "channel"});
    CHECK(find(tables, "node_run")->key == std::vector<std::string>{"node"});
    // Referenced tables come first.
    CHECK(position(tables, "probe_run") < position(tables, "probe_step"));
    CHECK(position(tables, "evidence") < position(tables, "episode"));
    CHECK(position(tables, "episode") < position(tables, "episode_state"));
    CHECK(position(tables, "snds_fetch") < position(tables, "snds_data"));
    CHECK(position(tables, "dmarc_report") < position(tables, "dmarc_record"));
}

TEST_CASE("schema tables: the list is what a database made by the migrations holds")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    for (const HistoryTable& t : store::history_tables()) {
        CAPTURE(t.name);
        CHECK(store::table_exists(db, t.name));
    }
}

TEST_CASE("schema tables: later migrations drop and rename tables and key columns")
{
    const store::Migration migrations[] = {
        {1, "001_a.sql",
         "-- CREATE TABLE in_a_comment (x INTEGER PRIMARY KEY);\n"
         "CREATE TABLE one (id INTEGER PRIMARY KEY, t TEXT DEFAULT 'a;b', u TEXT);\n"
         "/* CREATE TABLE in_a_block (y) */\n"
         "CREATE TABLE IF NOT EXISTS two (a TEXT NOT NULL, b INTEGER,"
         " CONSTRAINT two_key PRIMARY KEY (a, b), UNIQUE (b));\n"
         "CREATE TABLE three (x TEXT, y TEXT);\n"
         "CREATE INDEX one_t ON one(t);\n"},
        {2, "002_b.sql",
         "ALTER TABLE one ADD COLUMN v REAL;\n"
         "DROP TABLE IF EXISTS three;\n"
         "ALTER TABLE two RENAME COLUMN a TO name;\n"
         "ALTER TABLE one RENAME TO first;\n"
         "CREATE TABLE \"quoted\" (\"k\" TEXT PRIMARY KEY);\n"
         "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY);\n"},
    };
    const std::vector<HistoryTable> tables = store::tables_of(migrations);
    REQUIRE(tables.size() == 3);
    CHECK(tables[0].name == "first");
    CHECK(tables[0].key == std::vector<std::string>{"id"});
    CHECK(tables[1].name == "two");
    CHECK(tables[1].key == std::vector<std::string>{"name", "b"});
    CHECK(tables[2].name == "quoted");
    CHECK(tables[2].key == std::vector<std::string>{"k"});
}

TEST_CASE("schema tables: only plain lower-case names reach statement text")
{
    CHECK(store::is_plain_identifier("delivery"));
    CHECK(store::is_plain_identifier("reply_truncated2"));
    for (const char* bad : {"", "1a", "Delivery", "a b", "a\"b", "a;b", "a-b", "\xc3\xa9"}) {
        CHECK_FALSE(store::is_plain_identifier(bad));
    }
}
