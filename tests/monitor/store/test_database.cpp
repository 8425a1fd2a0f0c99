// The store: migrations applied once, WAL on, values bound, transactions roll back.
#include "monitor/store/database.hpp"
#include "monitor/store/migrations.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe::store;
using smtpprobe::test::TempDir;

TEST_CASE("migrations are numbered, ordered and all applied on open")
{
    const auto& list = migrations();
    REQUIRE(!list.empty());
    CHECK(list.front().version == 1);
    for (std::size_t i = 1; i < list.size(); ++i) {
        CHECK(list[i - 1].version < list[i].version);
    }
    TempDir dir;
    Database db(dir.file("sub/history.db"));
    CHECK(db.schema_version() == list.back().version);
    Statement tables(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                         "('probe_run','probe_step','delivery','bounce','evidence','episode')");
    REQUIRE(tables.step());
    CHECK(tables.column_int(0) == 6);
}

TEST_CASE("reopening does not re-apply migrations and keeps data")
{
    TempDir dir;
    {
        Database db(dir.file("h.db"));
        db.prepare("INSERT INTO note(time, text) VALUES (?, ?)")
            .bind(1, "2026-01-01T00:00:00Z")
            .bind(2, "x'); DROP TABLE note; --")
            .run();
    }
    Database again(dir.file("h.db"));
    Statement st(again, "SELECT text FROM note");
    REQUIRE(st.step());
    CHECK(st.column_text(0) == "x'); DROP TABLE note; --");
    Statement count(again, "SELECT count(*) FROM schema_migration");
    REQUIRE(count.step());
    CHECK(count.column_int(0) == static_cast<std::int64_t>(migrations().size()));
}

TEST_CASE("the database is in WAL mode with foreign keys on")
{
    TempDir dir;
    Database db(dir.file("h.db"));
    Statement mode(db, "PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_text(0) == "wal");
    CHECK_THROWS_AS(db.exec("INSERT INTO probe_step(run_id, seq, stage, elapsed_ms) "
                            "VALUES (999, 1, 'banner', 0)"),
                    StoreError);
}

TEST_CASE("a transaction that is not committed rolls back")
{
    TempDir dir;
    Database db(dir.file("h.db"));
    {
        Transaction tx(db);
        db.exec("INSERT INTO note(time, text) VALUES ('t', 'gone')");
    }
    Statement st(db, "SELECT count(*) FROM note");
    REQUIRE(st.step());
    CHECK(st.column_int(0) == 0);
}

TEST_CASE("an unopenable path is a StoreError naming the path")
{
    try {
        Database db("/proc/definitely/not/here.db");
        FAIL("expected an error");
    } catch (const StoreError& e) {
        CHECK(std::string(e.what()).find("/proc/definitely/not/here.db") != std::string::npos);
    }
}

TEST_CASE("a database from a newer smtpprobe is refused, named, and left byte for byte")
{
    TempDir dir;
    const std::string path = dir.file("future.db");
    {
        Database db(path);
        db.exec("INSERT INTO schema_migration(version, name, applied_at) "
                "VALUES (999, '999_future.sql', '2030-01-01T00:00:00Z')");
        db.exec("INSERT INTO note(time, text) VALUES ('2030-01-01T00:00:00Z', 'from the future')");
    }
    const std::string before = smtpprobe::test::read_file(path);
    REQUIRE(!before.empty());
    for (auto mode : {Database::Mode::read_write, Database::Mode::read_only}) {
        try {
            Database db(path, mode);
            FAIL("a schema newer than the binary's was opened");
        } catch (const StoreError& e) {
            const std::string what = e.what();
            CHECK(what.find(path) != std::string::npos);
            CHECK(what.find("schema version 999") != std::string::npos);
            CHECK(what.find("up to " + std::to_string(migrations().back().version)) !=
                  std::string::npos);
            CHECK(what.find('\n') == std::string::npos);
        }
    }
    CHECK(smtpprobe::test::read_file(path) == before);
}
