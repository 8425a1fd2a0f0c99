// `smtpprobe db export|import|migrate` as a user runs them: a history filled by the ingest
// commands and the store's writers goes out and comes back byte for byte (through a file,
// stdin/stdout, or straight from one database into another), and every refusal is one line on
// stderr with its exit code, leaving the target as it was.
#include "monitor/store/history_rows.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/filled_history.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <sys/resource.h>

using namespace smtpprobe;
using namespace smtpprobe::test;
using namespace std::string_literals;

namespace {

const std::string k_data = SMTPPROBE_SOURCE_DIR "/tests/data";

RunOptions utc(std::string stdin_data = "")
{
    RunOptions o;
    o.stdin_data = std::move(stdin_data);
    o.env = {{"TZ", "UTC"}};
    return o;
}

// A history written by the ingest commands (bounces, DMARC, TLS and SNDS reports, a note)
// and the store's writers (logs, probes, hostile texts, awkward reals).
void fill(const TempDir& dir, const std::string& db_path)
{
    {
        store::Database db(db_path);
        fill_history(db, dir.path());
    }
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"ingest", "bounce", k_data + "/mta-bounces/exim-4.96.mbox"},
             {"ingest", "dmarc", k_data + "/reports/dmarc"},
             {"ingest", "tlsrpt", k_data + "/reports/tlsrpt"},
             {"note", "delist requested, ticket 'a\tb' \\ \xff"}}) {
        std::vector<std::string> argv = {"--db", db_path};
        argv.insert(argv.end(), args.begin(), args.end());
        const RunResult run = run_smtpprobe(argv, utc());
        CAPTURE(args[0]);
        CAPTURE(run.err);
        REQUIRE(run.exit_code <= 1); // 1: a finding in the reports
    }
}

bool one_line(const std::string& err)
{
    return !err.empty() && err.find('\n') == err.size() - 1;
}

} // namespace

TEST_CASE("db export, import and migrate: the history comes back byte for byte")
{
    TempDir dir;
    const std::string a = dir.file("a.db");
    fill(dir, a);

    const RunResult exported =
        run_smtpprobe({"--db", a, "db", "export", dir.file("a.dump")}, utc());
    CAPTURE(exported.err);
    REQUIRE(exported.exit_code == 0);
    CHECK(exported.out.starts_with("db export: "));
    CHECK(exported.out.find(" rows in ") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("a.dump.partial")));
    const std::string dump = read_file(dir.file("a.dump"));
    REQUIRE(dump.starts_with("smtpprobe-history-dump\t1\tschema\t"));
    CHECK(dump.find("\ntable\tdmarc_report\t") != std::string::npos);
    CHECK(dump.find("\ntable\ttlsrpt_report\t") != std::string::npos);

    // File -> new history -> file.
    const RunResult imported =
        run_smtpprobe({"db", "import", "--db", dir.file("b.db"), dir.file("a.dump")}, utc());
    CAPTURE(imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK(imported.out.starts_with("db import: "));
    REQUIRE(run_smtpprobe({"--db", dir.file("b.db"), "db", "export", dir.file("b.dump")}, utc())
                .exit_code == 0);
    CHECK(read_file(dir.file("b.dump")) == dump);

    // stdout and stdin.
    const RunResult to_stdout = run_smtpprobe({"--db", a, "db", "export", "-"}, utc());
    CHECK(to_stdout.exit_code == 0);
    CHECK(to_stdout.out == dump);
    CHECK(to_stdout.err.empty());
    REQUIRE(run_smtpprobe({"--db", dir.file("c.db"), "db", "import", "-"}, utc(dump)).exit_code ==
            0);
    CHECK(run_smtpprobe({"--db", dir.file("c.db"), "db", "export", "-"}, utc()).out == dump);

    // Straight from one database into another.
    const RunResult migrated =
        run_smtpprobe({"--json", "db", "migrate", a, dir.file("d.db")}, utc());
    CAPTURE(migrated.err);
    REQUIRE(migrated.exit_code == 0);
    CHECK(migrated.out.find("\"command\":\"migrate\"") != std::string::npos);
    CHECK(run_smtpprobe({"--db", dir.file("d.db"), "db", "export", "-"}, utc()).out == dump);

    // The copy is a working history: status reads it like the original (same finding or
    // none), and new rows get new ids.
    const RunResult status_a = run_smtpprobe({"--db", a, "status"}, utc());
    const RunResult status_d = run_smtpprobe({"--db", dir.file("d.db"), "status"}, utc());
    CHECK(status_a.exit_code <= 1);
    CHECK(status_a.exit_code == status_d.exit_code);
    CHECK(run_smtpprobe({"--db", dir.file("d.db"), "note", "after the copy"}, utc()).exit_code ==
          0);
}

TEST_CASE("db import refuses another schema version and a target that is not empty (exit 2)")
{
    TempDir dir;
    const std::string a = dir.file("a.db");
    REQUIRE(run_smtpprobe({"--db", a, "note", "first"}, utc()).exit_code == 0);
    const std::string dump = run_smtpprobe({"--db", a, "db", "export", "-"}, utc()).out;
    REQUIRE(dump.starts_with("smtpprobe-history-dump\t1\tschema\t"));

    const std::string older =
        "smtpprobe-history-dump\t1\tschema\t9\n" + dump.substr(dump.find('\n') + 1);
    write_file(dir.file("older.dump"), older);
    RunResult run =
        run_smtpprobe({"--db", dir.file("b.db"), "db", "import", dir.file("older.dump")}, utc());
    CHECK(run.exit_code == 2);
    CHECK(one_line(run.err));
    CHECK(run.err.find("is a dump of schema version 9") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("b.db"))); // the import made it: removed again

    write_file(dir.file("a.dump"), dump);
    run = run_smtpprobe({"--db", a, "db", "import", dir.file("a.dump")}, utc());
    CHECK(run.exit_code == 2);
    CHECK(one_line(run.err));
    CHECK(run.err.find("table 'note' is not empty") != std::string::npos);

    run = run_smtpprobe({"db", "migrate", a, a}, utc());
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("FROM and TO are the same database") != std::string::npos);
    run = run_smtpprobe({"db", "migrate", dir.file("missing.db"), dir.file("x.db")}, utc());
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("does not exist") != std::string::npos);
    run = run_smtpprobe({"db", "migrate", a, dir.file("no/such/folder/x.db")}, utc());
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("TO ") != std::string::npos);
    run = run_smtpprobe({"--db", dir.file("b.db"), "db", "import", dir.path()}, utc());
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("is a folder") != std::string::npos);
}

TEST_CASE("db import refuses a truncated, damaged or unreadable dump (exit 3), target unchanged")
{
    TempDir dir;
    const std::string a = dir.file("a.db");
    REQUIRE(run_smtpprobe({"--db", a, "note", "first"}, utc()).exit_code == 0);
    REQUIRE(run_smtpprobe({"--db", a, "note", "second"}, utc()).exit_code == 0);
    const std::string dump = run_smtpprobe({"--db", a, "db", "export", "-"}, utc()).out;
    const std::string b = dir.file("b.db");
    REQUIRE(run_smtpprobe({"--db", b, "status"}, utc()).exit_code == 0); // an empty history

    write_file(dir.file("cut.dump"), dump.substr(0, dump.size() / 2));
    RunResult run = run_smtpprobe({"--db", b, "db", "import", dir.file("cut.dump")}, utc());
    CHECK(run.exit_code == 3);
    CHECK(one_line(run.err));
    CHECK(run.err.find("cut.dump:") != std::string::npos);
    CHECK(run.err.find("truncated") != std::string::npos);
    CHECK(run.err.find("nothing imported") != std::string::npos);

    write_file(dir.file("no-end.dump"), dump.substr(0, dump.rfind("end\t")));
    run = run_smtpprobe({"--db", b, "db", "import", dir.file("no-end.dump")}, utc());
    CHECK(run.exit_code == 3);
    CHECK(run.err.find("truncated") != std::string::npos);

    write_file(dir.file("not.dump"), "SQLite format 3\0\x01\x02"s);
    run = run_smtpprobe({"--db", b, "db", "import", dir.file("not.dump")}, utc());
    CHECK(run.exit_code == 3);
    CHECK(one_line(run.err));
    CHECK(run.err.find("not an smtpprobe history dump") != std::string::npos);

    run = run_smtpprobe({"--db", b, "db", "import", dir.file("missing.dump")}, utc());
    CHECK(run.exit_code == 3);
    CHECK(one_line(run.err));
    CHECK(run.err.find("missing.dump: cannot read: No such file or directory") !=
          std::string::npos);

    // After all of that the target is still empty: the whole dump imports.
    write_file(dir.file("a.dump"), dump);
    CHECK(run_smtpprobe({"--db", b, "db", "import", dir.file("a.dump")}, utc()).exit_code == 0);
    CHECK(run_smtpprobe({"--db", b, "db", "export", "-"}, utc()).out == dump);
}

TEST_CASE("db export: an unwritable file is exit 3 and leaves nothing behind")
{
    TempDir dir;
    const std::string a = dir.file("a.db");
    REQUIRE(run_smtpprobe({"--db", a, "note", "first"}, utc()).exit_code == 0);
    const RunResult run =
        run_smtpprobe({"--db", a, "db", "export", dir.file("no/such/folder/a.dump")}, utc());
    CHECK(run.exit_code == 3);
    CHECK(one_line(run.err));
    CHECK(run.err.find("cannot write") != std::string::npos);
    const RunResult missing =
        run_smtpprobe({"--db", dir.file("missing.db"), "db", "export", dir.file("x.dump")}, utc());
    CHECK(missing.exit_code != 0);
    CHECK(one_line(missing.err));
    CHECK_FALSE(std::filesystem::exists(dir.file("x.dump")));
}

TEST_CASE("db export and migrate stream: their memory stays far below the history's size")
{
    TempDir dir;
    const std::string a = dir.file("a.db");
    constexpr int k_notes = 50'000;
    {
        store::Database db(a);
        store::Transaction tx(db);
        for (int i = 0; i < k_notes; ++i) {
            // 2 KiB that no page compresses: about 100 MB of history.
            std::string text = "note " + std::to_string(i) + " ";
            while (text.size() < 2048) {
                text += std::to_string(i * 7919 + text.size() * 104729) + "\xff\n";
            }
            store::insert_note(db, "2026-03-12T11:00:00Z", "", "", text);
        }
        tx.commit();
    }
    const std::uintmax_t history_kib = std::filesystem::file_size(a) / 1024;
    REQUIRE(history_kib > 100'000);
    const RunResult exported =
        run_smtpprobe({"--db", a, "db", "export", dir.file("a.dump")}, utc());
    REQUIRE(exported.exit_code == 0);
    const RunResult migrated = run_smtpprobe({"db", "migrate", a, dir.file("b.db")}, utc());
    REQUIRE(migrated.exit_code == 0);
    CHECK(migrated.out.find(std::to_string(k_notes) + " rows") != std::string::npos);
    // The largest of the children so far (both commands): the import's page cache (32 MiB, as
    // log ingestion's) and one row, not the history.
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    MESSAGE("history " << history_kib << " KiB, largest child " << usage.ru_maxrss << " KiB");
    CHECK(usage.ru_maxrss < 64 * 1024);
    CHECK(static_cast<std::uintmax_t>(usage.ru_maxrss) < history_kib / 2);
}

TEST_CASE("db: --help lists export, import and migrate")
{
    const RunResult top = run_smtpprobe({"--help"});
    CHECK(top.out.find("\n  db ") != std::string::npos);
    const RunResult db = run_smtpprobe({"db", "--help"});
    CHECK(db.exit_code == 0);
    for (const char* sub : {"export", "import", "migrate"}) {
        CHECK(db.out.find(std::string("  ") + sub) != std::string::npos);
    }
}
