// The generic copy of the history (table_copy.hpp) over a history written by the real code
// paths with hostile values: SQLite -> dump -> new SQLite -> dump gives the same bytes and
// the same rows; with SMTPPROBE_TEST_PG_URL set, the same through PostgreSQL. Refusals leave
// the target as it was.
#include "monitor/store/dump_format.hpp"
#include "monitor/store/history_rows.hpp"
#include "monitor/store/schema_tables.hpp"
#include "monitor/store/table_copy.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/filled_history.hpp"
#include "tests/support/skip.hpp"
#include "tests/support/test_history.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <memory>
#include <sstream>

using namespace smtpprobe;

namespace {

std::string dump_of(store::Database& db, store::CopyCounts* counts = nullptr)
{
    store::HistoryDump dump(db);
    std::string out;
    std::string line;
    while (dump.next_line(line)) {
        out += line;
    }
    if (counts) {
        *counts = dump.counts();
    }
    return out;
}

// A dump given line by line, as a file would give it (a cut last line without its newline).
store::DumpLineSource lines_of(const std::string& text)
{
    auto at = std::make_shared<std::size_t>(0);
    return [text, at](std::string& line) {
        if (*at >= text.size()) {
            return false;
        }
        const std::size_t end = text.find('\n', *at);
        const std::size_t stop = end == std::string::npos ? text.size() : end + 1;
        line = text.substr(*at, stop - *at);
        *at = stop;
        return true;
    };
}

store::CopyCounts import_text(store::Database& db, const std::string& text)
{
    return store::import_history(db, lines_of(text), "dump.txt");
}

// Rows of every table, read the plain way (no dump code): each value as kind and bytes.
std::string rows_of(store::Database& db)
{
    std::string out;
    for (const store::HistoryTable& t : store::history_tables()) {
        std::string order;
        for (const std::string& k : t.key) {
            order += (order.empty() ? "" : ", ") + k;
        }
        store::Statement st(db, "SELECT * FROM " + t.name + " ORDER BY " + order);
        out += "== " + t.name + "\n";
        while (st.step()) {
            for (int i = 0; i < st.column_count(); ++i) {
                switch (st.column_kind(i)) {
                case store::Statement::Kind::null:
                    out += "NULL";
                    break;
                case store::Statement::Kind::integer:
                    out += "int:" + std::to_string(st.column_int(i));
                    break;
                case store::Statement::Kind::real: {
                    const double d = st.column_double(i);
                    out += "real:" + std::string(reinterpret_cast<const char*>(&d), sizeof d);
                    break;
                }
                case store::Statement::Kind::text:
                    out += "text:" + std::to_string(st.column_text(i).size()) + ":" +
                           st.column_text(i);
                    break;
                }
                out += "|";
            }
            out += "\n";
        }
    }
    return out;
}

std::int64_t count_rows(store::Database& db)
{
    std::int64_t n = 0;
    for (const store::HistoryTable& t : store::history_tables()) {
        store::Statement st(db, "SELECT count(*) FROM " + t.name);
        st.step();
        n += st.column_int(0);
    }
    return n;
}

struct Filled {
    test::TempDir dir;
    store::Database db{dir.file("source.db")};
    Filled() { test::fill_history(db, dir.path()); }
};

} // namespace

TEST_CASE("table copy: SQLite -> dump -> new SQLite -> dump gives the same bytes and rows")
{
    Filled source;
    store::CopyCounts exported;
    const std::string dump = dump_of(source.db, &exported);
    CHECK(exported.tables == static_cast<std::int64_t>(store::history_tables().size()));
    CHECK(exported.rows == count_rows(source.db));
    CHECK(exported.rows > 60);
    CHECK(exported.schema_version == store::migrations().back().version);
    // The hostile values are in it, escaped: no raw control byte on any line.
    CHECK(dump.find("tinvalid UTF-8 \\xff\\xfe \\xc3 \\xed\\xa0\\x80") != std::string::npos);
    CHECK(dump.find("r1e-300") != std::string::npos);
    CHECK(dump.find("\tr0.1\t") != std::string::npos);
    CHECK(dump.find("\x1b") == std::string::npos);

    store::Database copy(source.dir.file("copy.db"));
    const store::CopyCounts imported = import_text(copy, dump);
    CHECK(imported.rows == exported.rows);
    CHECK(imported.tables == exported.tables);
    CHECK(dump_of(copy) == dump);
    CHECK(rows_of(copy) == rows_of(source.db));
    // The long text came through whole.
    bool found_long = false;
    for (const store::NoteRow& note : store::read_notes(copy)) {
        found_long = found_long || note.text.size() >= 256 * 1024;
    }
    CHECK(found_long);
    // Ids were kept, and new rows continue after them.
    const std::int64_t next = store::insert_note(copy, "2026-03-13T00:00:00Z", "", "", "after");
    CHECK(next == store::insert_note(source.db, "2026-03-13T00:00:00Z", "", "", "after"));
}

TEST_CASE("table copy: an empty history copies to an empty history")
{
    test::TempDir dir;
    store::Database empty(dir.file("a.db"));
    const std::string dump = dump_of(empty);
    CHECK(dump.starts_with("smtpprobe-history-dump\t1\tschema\t"));
    CHECK(dump.ends_with("end\t0\n"));
    store::Database copy(dir.file("b.db"));
    CHECK(import_text(copy, dump).rows == 0);
    CHECK(dump_of(copy) == dump);
}

TEST_CASE("table copy: a dump of another schema version is refused, nothing written")
{
    Filled source;
    std::string dump = dump_of(source.db);
    const std::string version = std::to_string(store::migrations().back().version);
    const std::string header = "smtpprobe-history-dump\t1\tschema\t" + version + "\n";
    REQUIRE(dump.starts_with(header));
    dump.replace(0, header.size(), "smtpprobe-history-dump\t1\tschema\t16\n");
    store::Database copy(source.dir.file("copy.db"));
    try {
        import_text(copy, dump);
        FAIL("imported");
    } catch (const store::ImportRefused& e) {
        CHECK(std::string(e.what()).find("dump of schema version 16") != std::string::npos);
        CHECK(std::string(e.what()).find("has schema version " + version) != std::string::npos);
    }
    CHECK(count_rows(copy) == 0);
}

TEST_CASE("table copy: a target table that is not empty is refused by name, nothing written")
{
    Filled source;
    const std::string dump = dump_of(source.db);
    store::Database copy(source.dir.file("copy.db"));
    store::insert_note(copy, "2026-03-13T00:00:00Z", "", "", "already here");
    try {
        import_text(copy, dump);
        FAIL("imported");
    } catch (const store::ImportRefused& e) {
        CHECK(std::string(e.what()).find("table 'note' is not empty") != std::string::npos);
    }
    CHECK(count_rows(copy) == 1);
}

TEST_CASE("table copy: a dump cut anywhere is refused as truncated, nothing written")
{
    test::TempDir dir;
    store::Database source(dir.file("source.db"));
    store::insert_note(source, "2026-03-12T11:00:00Z", "203.0.113.5", "yahoo", "one");
    store::insert_note(source, "2026-03-12T11:00:01Z", "", "", "two\nlines");
    const std::string dump = dump_of(source);
    store::Database copy(dir.file("copy.db"));
    // Every prefix: at a line end (a section or the end line missing) or inside a line.
    for (std::size_t cut = 0; cut < dump.size(); ++cut) {
        CAPTURE(cut);
        try {
            import_text(copy, dump.substr(0, cut));
            FAIL("imported a dump cut at " << cut);
        } catch (const store::DumpDamaged& e) {
            CHECK(std::string(e.what()).find("truncated") != std::string::npos);
        }
        REQUIRE(count_rows(copy) == 0);
    }
    CHECK(import_text(copy, dump).rows == 2); // and the whole dump still imports
}

TEST_CASE("table copy: damaged lines are refused with where and why, nothing written")
{
    test::TempDir dir;
    store::Database source(dir.file("source.db"));
    store::insert_note(source, "2026-03-12T11:00:00Z", "203.0.113.5", "yahoo", "one");
    const std::string dump = dump_of(source);
    struct Case {
        std::string from, to, why;
    };
    const Case cases[] = {
        {"smtpprobe-history-dump", "sqlite-dump", "not an smtpprobe history dump"},
        {"tone", "tone\\q", "column 'text': unknown escape"},
        {"tone", "tone\tt2", "has 6 values, the table 5 columns"},
        {"rows\tnote\t1", "rows\tnote\t2", "says 2 rows, 1 came before"},
        {"end\t1", "end\t3", "the end line says 3 rows"},
        {"end\t1\n", "end\t1\nmore\n", "something follows the end line"},
        {"table\tnote", "table\tnotes", "expected table 'note' here"},
        {"\ttyahoo\t", "\ttyahoo\x01\t", "raw control character"},
    };
    store::Database copy(dir.file("copy.db"));
    for (const Case& c : cases) {
        CAPTURE(c.to);
        std::string bad = dump;
        const std::size_t at = bad.find(c.from);
        REQUIRE(at != std::string::npos);
        bad.replace(at, c.from.size(), c.to);
        try {
            import_text(copy, bad);
            FAIL("imported");
        } catch (const store::DumpDamaged& e) {
            CHECK(std::string(e.what()).find(c.why) != std::string::npos);
            CHECK(std::string(e.what()).starts_with("dump.txt:"));
        }
        REQUIRE(count_rows(copy) == 0);
    }
}

TEST_CASE("table copy: a row the target's constraints refuse rolls the whole import back")
{
    test::TempDir dir;
    store::Database source(dir.file("source.db"));
    store::insert_note(source, "2026-03-12T11:00:00Z", "", "", "one");
    store::insert_note(source, "2026-03-12T11:00:01Z", "", "", "two");
    std::string dump = dump_of(source);
    // Both rows get id 1: the second violates the primary key, after the first was written.
    const std::size_t second = dump.find("i2\t");
    REQUIRE(second != std::string::npos);
    dump.replace(second, 2, "i1");
    store::Database copy(dir.file("copy.db"));
    CHECK_THROWS_AS(import_text(copy, dump), store::StoreError);
    CHECK(count_rows(copy) == 0);
}

TEST_CASE("table copy: SQLite -> PostgreSQL -> SQLite keeps every row (SMTPPROBE_TEST_PG_URL)")
{
    if (!smtpprobe::test::testing_postgresql()) {
        SMTPPROBE_SKIP("SMTPPROBE_TEST_PG_URL is not set: the PostgreSQL round trip runs in the "
                       "suite's [postgresql] run");
    }
    Filled source;
    const std::string dump = dump_of(source.db);
    // A fresh database of the tests' server; the source above is a SQLite file whatever the run.
    store::Database pg(smtpprobe::test::test_history(source.dir, "round-trip"));
    CHECK(import_text(pg, dump).rows == count_rows(source.db));
    // Back out of PostgreSQL: the same rows in a new SQLite history, and the same dump.
    const std::string from_pg = dump_of(pg);
    store::Database back(source.dir.file("back.db"));
    import_text(back, from_pg);
    CHECK(rows_of(back) == rows_of(source.db));
    CHECK(dump_of(back) == dump);
    // PostgreSQL's own dump is the same text: the schema gives every text column the C
    // collation (sql_dialect.hpp), so text keys sort bytewise as in SQLite.
    CHECK(from_pg == dump);
    // Ids continue after the imported ones (after_bulk_import).
    CHECK(store::insert_note(pg, "2026-03-13T00:00:00Z", "", "", "after") ==
          store::insert_note(source.db, "2026-03-13T00:00:00Z", "", "", "after"));
}
