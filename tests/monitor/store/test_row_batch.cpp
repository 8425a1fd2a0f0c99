// Multi-row INSERT batches: every row lands once, in order, with its NULL/integer/real/text
// values, whatever the number of rows relative to a full statement; a row the database
// ignores throws when every row must land; discard() forgets unwritten rows.
#include "monitor/store/row_batch.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace smtpprobe::store;
using smtpprobe::test::TempDir;

namespace {

void create_table(Database& db)
{
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, k TEXT UNIQUE)");
}

// Every row as "id|n|r|s|k", NULL as "-", in id order.
std::string dump(Database& db)
{
    Statement s(db, "SELECT id, n, r, s, k FROM t ORDER BY id");
    std::string out;
    while (s.step()) {
        for (int column = 0; column < 5; ++column) {
            out += s.column_optional_text(column).value_or("-");
            out += column < 4 ? "|" : "\n";
        }
    }
    return out;
}

void add_row(RowBatch& batch, int i)
{
    batch.add_int(i);
    if (i % 3 == 0) {
        batch.add_null();
    } else {
        batch.add_int(i * 10);
    }
    batch.add_real(i + 0.5);
    batch.add_text(i % 4 == 0 ? std::string() : "text " + std::to_string(i));
    batch.add_text("key" + std::to_string(i));
}

} // namespace

TEST_CASE("every row lands once and in order, whatever its place in a statement")
{
    const int counts[] = {0, 1, 31, 32, 33, 64, 100};
    for (int rows : counts) {
        CAPTURE(rows);
        TempDir dir;
        Database batched_db(smtpprobe::test::test_history(dir, "batched.db"));
        Database single_db(smtpprobe::test::test_history(dir, "single.db"));
        create_table(batched_db);
        create_table(single_db);
        {
            Transaction tx(batched_db);
            RowBatch batch(batched_db, "INSERT OR IGNORE INTO t (id, n, r, s, k)", 5, true);
            for (int i = 1; i <= rows; ++i) {
                add_row(batch, i);
                CHECK(batch.pending() == static_cast<std::size_t>(i % 32));
            }
            batch.write();
            CHECK(batch.pending() == 0);
            tx.commit();
        }
        Statement insert(single_db, "INSERT INTO t (id, n, r, s, k) VALUES (?, ?, ?, ?, ?)");
        for (int i = 1; i <= rows; ++i) {
            insert.bind(1, i);
            if (i % 3 == 0) {
                insert.bind(2, nullptr);
            } else {
                insert.bind(2, i * 10);
            }
            insert.bind(3, i + 0.5);
            insert.bind(4, i % 4 == 0 ? std::string() : "text " + std::to_string(i));
            insert.bind(5, "key" + std::to_string(i));
            insert.run();
        }
        CHECK(dump(batched_db) == dump(single_db));
    }
}

TEST_CASE("a row the database ignores throws when every row must land, not otherwise")
{
    TempDir dir;
    Database db(smtpprobe::test::test_history(dir, "h.db"));
    create_table(db);
    db.exec("INSERT INTO t (id, k) VALUES (1000, 'key5')");
    {
        RowBatch checked(db, "INSERT OR IGNORE INTO t (id, n, r, s, k)", 5, true);
        for (int i = 1; i <= 10; ++i) {
            add_row(checked, i);
        }
        CHECK_THROWS_AS(checked.write(), StoreError);
        CHECK(checked.pending() == 0); // not written again by a later write()
        add_row(checked, 20);
        checked.write(); // the statement is usable again
    }
    RowBatch lenient(db, "INSERT OR IGNORE INTO t (id, n, r, s, k)", 5, false);
    add_row(lenient, 30);
    add_row(lenient, 5); // key5 again: ignored
    lenient.write();
    Statement count(db, "SELECT count(*) FROM t");
    REQUIRE(count.step());
    // key5 of 1000, rows 1-4 and 6-10 of the throwing statement (no transaction around it:
    // SQLite kept the rows it inserted), 20 and 30.
    CHECK(count.column_int(0) == 1 + 9 + 2);
}

TEST_CASE("an unfinished row is refused, discard() forgets pending rows")
{
    TempDir dir;
    Database db(smtpprobe::test::test_history(dir, "h.db"));
    create_table(db);
    RowBatch batch(db, "INSERT OR IGNORE INTO t (id, n, r, s, k)", 5, true);
    batch.add_int(1);
    CHECK_THROWS_AS(batch.write(), StoreError);
    batch.discard();
    add_row(batch, 2);
    batch.discard();
    batch.write();
    CHECK(dump(db).empty());
}
