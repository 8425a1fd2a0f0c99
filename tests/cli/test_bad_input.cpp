// Bad input gets one line on stderr saying what, where and why (the system's reason), a
// documented exit code, and never a silent success (issue 18): a file with no mail log line,
// a truncated or corrupt .gz, a folder where a file is expected, a missing file, --config
// naming a folder, a --db whose folder does not exist (only the default location is
// created), a missing [[bounce]] path or an empty folder, an invalid note IP, no SQL text.
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <filesystem>

using namespace smtpprobe::test;

namespace {

int lines_of(const std::string& text)
{
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

const std::string k_sent_line = "Nov 22 04:10:01 mail postfix/smtp[1]: 4F2A31C0123: "
                                "to=<a@b.example>, relay=mx.b.example[192.0.2.1]:25, delay=1, "
                                "delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)\n";

} // namespace

TEST_CASE("ingest log of a file with no mail log line fails with exit 2 and says why")
{
    TempDir dir;
    for (const std::string& file : {std::string("/bin/ls"), std::string("/etc/passwd")}) {
        RunResult r = run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", file});
        CHECK_MESSAGE(r.exit_code == 2, file);
        CHECK(r.err.find(file) != std::string::npos);
        CHECK(r.err.find("mail log line") != std::string::npos);
        CHECK(lines_of(r.err) == 1);
    }
    // An empty file (a fresh rotation) is no mistake.
    write_file(dir.file("empty.log"), "");
    CHECK(run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", dir.file("empty.log")})
              .exit_code == 0);
}

TEST_CASE("ingest log: a truncated or corrupt .gz is an error (exit 3), not a shorter log")
{
    TempDir dir;
    std::string text;
    for (int i = 0; i < 2000; ++i) {
        text += k_sent_line;
    }
    write_file(dir.file("log"), text);
    REQUIRE(run({"gzip", "-k", dir.file("log")}).exit_code == 0);
    const std::string whole = read_file(dir.file("log.gz"));
    REQUIRE(whole.size() > 100);
    write_file(dir.file("cut.gz"), whole.substr(0, whole.size() / 2));
    RunResult cut = run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", dir.file("cut.gz")});
    CHECK(cut.exit_code == 3);
    CHECK(cut.err.find(dir.file("cut.gz")) != std::string::npos);
    CHECK(cut.err.find("truncated") != std::string::npos);
    CHECK(lines_of(cut.err) == 1);
    std::string corrupt = whole;
    for (std::size_t i = 20; i < corrupt.size() - 8; i += 7) {
        corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
    }
    write_file(dir.file("bad.gz"), corrupt);
    RunResult bad = run_smtpprobe({"--db", dir.file("h2.db"), "ingest", "log", dir.file("bad.gz")});
    CHECK(bad.exit_code == 3);
    CHECK(bad.err.find("corrupt gzip") != std::string::npos);
    RunResult good =
        run_smtpprobe({"--db", dir.file("h3.db"), "ingest", "log", dir.file("log.gz")});
    CHECK(good.exit_code == 0);
}

TEST_CASE("ingest log: a folder is exit 2, a missing file exit 3 with the system's reason")
{
    TempDir dir;
    RunResult folder = run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", dir.path()});
    CHECK(folder.exit_code == 2);
    CHECK(folder.err.find("is a folder") != std::string::npos);
    CHECK(lines_of(folder.err) == 1);
    RunResult missing =
        run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", dir.file("nosuch.log")});
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("nosuch.log") != std::string::npos);
    CHECK(missing.err.find("No such file or directory") != std::string::npos);
    CHECK(lines_of(missing.err) == 1);
}

TEST_CASE("--config naming a folder is exit 2")
{
    TempDir dir;
    RunResult r = run_smtpprobe({"--config", dir.path(), "--db", dir.file("h.db"), "status"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(dir.path()) != std::string::npos);
    CHECK(r.err.find("is a folder") != std::string::npos);
}

TEST_CASE("--db in a folder that does not exist is exit 2 and creates nothing")
{
    TempDir dir;
    const std::string db = dir.file("nosuch/sub/h.db");
    write_file(dir.file("log"), k_sent_line);
    for (const char* command : {"ingest", "status", "note"}) {
        std::vector<std::string> args = {"--db", db, command};
        if (std::string(command) == "ingest") {
            args.insert(args.end(), {"log", dir.file("log")});
        } else if (std::string(command) == "note") {
            args.push_back("text");
        }
        RunResult r = run_smtpprobe(args);
        CHECK_MESSAGE(r.exit_code == 2, command);
        CHECK(r.err.find("does not exist") != std::string::npos);
        CHECK(lines_of(r.err) == 1);
    }
    CHECK_FALSE(std::filesystem::exists(dir.file("nosuch")));
    RunResult folder = run_smtpprobe({"--db", dir.path(), "ingest", "log", dir.file("log")});
    CHECK(folder.exit_code == 2);
    CHECK(folder.err.find("is a folder") != std::string::npos);
    // The default location is created.
    RunOptions home;
    home.env = {{"XDG_DATA_HOME", dir.file("xdg")}, {"SMTPPROBE_DB", ""}};
    RunResult fresh = run_smtpprobe({"ingest", "log", dir.file("log")}, home);
    CHECK(fresh.exit_code == 0);
    CHECK(std::filesystem::exists(dir.file("xdg/smtpprobe/history.db")));
}

TEST_CASE("a missing [[bounce]] path or an empty folder is reported, not read as 0 messages")
{
    TempDir dir;
    std::filesystem::create_directories(dir.file("empty"));
    write_file(dir.file("c.toml"), "db = \"" + dir.file("h.db") +
                                       "\"\n[probes]\ndefault_receivers = false\n"
                                       "[dnsbl]\ndefault_zones = false\n"
                                       "[hygiene]\nenabled = false\n"
                                       "[[bounce]]\npath = \"" +
                                       dir.file("nosuch-mbox") + "\"\n[[bounce]]\npath = \"" +
                                       dir.file("empty") + "\"\n");
    RunResult check = run_smtpprobe({"config", "check", dir.file("c.toml")});
    CHECK(check.exit_code == 0);
    CHECK(check.err.find("nosuch-mbox: does not exist") != std::string::npos);
    CHECK(check.err.find("empty folder") != std::string::npos);
    RunResult tick = run_smtpprobe({"--config", dir.file("c.toml"), "run"});
    CHECK(tick.exit_code == 3);
    const std::string all = tick.out + tick.err;
    CHECK(all.find("nosuch-mbox: does not exist") != std::string::npos);
    CHECK(all.find("empty folder") != std::string::npos);
}

TEST_CASE("note refuses an IP that is not one, exit 2")
{
    TempDir dir;
    RunResult r = run_smtpprobe({"--db", dir.file("h.db"), "note", "--ip", "999.1.1.1", "hi"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("999.1.1.1") != std::string::npos);
    CHECK(lines_of(r.err) == 1);
}

TEST_CASE("a damaged history is one line with the path and no SQL text, exit 3")
{
    TempDir dir;
    write_file(dir.file("log"), k_sent_line);
    REQUIRE(run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", dir.file("log")}).exit_code ==
            0);
    {
        smtpprobe::store::Database db(dir.file("h.db"));
        db.exec("DROP TABLE note");
    }
    RunResult r = run_smtpprobe({"--db", dir.file("h.db"), "status", "--all"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find(dir.file("h.db")) != std::string::npos);
    CHECK(r.err.find("SELECT") == std::string::npos);
    CHECK(r.err.find("FROM") == std::string::npos);
    CHECK(lines_of(r.err) == 1);
    write_file(dir.file("not.db"), "this is not a database, only text\n");
    RunResult text = run_smtpprobe({"--db", dir.file("not.db"), "status"});
    CHECK(text.exit_code == 3);
    CHECK(text.err.find(dir.file("not.db")) != std::string::npos);
    CHECK(lines_of(text.err) == 1);
}
