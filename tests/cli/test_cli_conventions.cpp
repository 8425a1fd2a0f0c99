// The command line's conventions (issue 18): global options before or after the command,
// `help [COMMAND]`, the order of --help, a mistyped command named with the nearest one,
// `dnsbl --zone Z IP1 IP2`, -q printing only errors and findings.
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe::test;

TEST_CASE("global options are accepted after the subcommand as before it")
{
    RunResult after = run_smtpprobe({"explain", "--json", "S3140"});
    CHECK(after.exit_code == 0);
    CHECK(nlohmann::json::parse(after.out)["provider_code"] == "S3140");
    RunResult before = run_smtpprobe({"--json", "explain", "S3140"});
    CHECK(before.exit_code == 0);
    CHECK(before.out == after.out);
    TempDir dir;
    RunResult db_after = run_smtpprobe({"status", "--db", dir.file("h.db"), "--json"});
    CHECK(db_after.exit_code == 0);
    CHECK(nlohmann::json::parse(db_after.out).contains("scopes"));
}

TEST_CASE("help, help COMMAND and help of a nested command exit 0, an unknown one exits 2")
{
    RunResult all = run_smtpprobe({"help"});
    CHECK(all.exit_code == 0);
    CHECK(all.out.find("Exit codes") != std::string::npos);
    RunResult status = run_smtpprobe({"help", "status"});
    CHECK(status.exit_code == 0);
    CHECK(status.out.find("--since") != std::string::npos);
    CHECK(status.out.find("smtpprobe status") != std::string::npos);
    RunResult nested = run_smtpprobe({"help", "ingest", "log"});
    CHECK(nested.exit_code == 0);
    CHECK(nested.out.find("--timezone") != std::string::npos);
    RunResult unknown = run_smtpprobe({"help", "statsu"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err.find("'statsu'") != std::string::npos);
    CHECK(unknown.err.find("did you mean 'status'") != std::string::npos);
}

TEST_CASE("--help lists the subcommands in the order a user needs them")
{
    RunResult help = run_smtpprobe({"--help"});
    REQUIRE(help.exit_code == 0);
    std::size_t last = 0;
    for (const char* name : {"  status", "  run", "  probe", "  dsn-test", "  dnsbl", "  ingest",
                             "  explain", "  serve", "  config", "  help"}) {
        const std::size_t at = help.out.find(std::string("\n") + name + " ");
        CHECK_MESSAGE(at != std::string::npos, name);
        CHECK_MESSAGE(at > last, name);
        last = at;
    }
}

TEST_CASE("a mistyped command is named with the nearest one, exit 2")
{
    RunResult top = run_smtpprobe({"statsu"});
    CHECK(top.exit_code == 2);
    CHECK(top.err.find("unknown command 'statsu'") != std::string::npos);
    CHECK(top.err.find("did you mean 'status'") != std::string::npos);
    RunResult nested = run_smtpprobe({"ingest", "nosuch"});
    CHECK(nested.exit_code == 2);
    CHECK(nested.err.find("'nosuch'") != std::string::npos);
    CHECK(nested.err.find("A subcommand is required") == std::string::npos);
    CHECK(nested.err.find("log") != std::string::npos);
    RunResult typo = run_smtpprobe({"--db", "/tmp/x.db", "ingest", "bounse", "f"});
    CHECK(typo.exit_code == 2);
    CHECK(typo.err.find("did you mean 'bounce'") != std::string::npos);
    RunResult bare = run_smtpprobe({"ingest"});
    CHECK(bare.exit_code == 2);
    CHECK(bare.err.find("needs a command") != std::string::npos);
    CHECK(std::count(bare.err.begin(), bare.err.end(), '\n') == 1);
}

TEST_CASE("dnsbl --zone takes one zone: the addresses after it are addresses")
{
    TempDir dir;
    // A resolver that never answers: every list is unknown (exit 3), but both addresses are
    // checked (before, `--zone spamcop IP1 IP2` read IP1 as a zone).
    RunResult r =
        run_smtpprobe({"--db", dir.file("h.db"), "--dns-server", "127.0.0.1:9", "dnsbl", "--zone",
                       "spamcop", "--timeout", "100", "--json", "192.0.2.1", "192.0.2.2"});
    CHECK(r.exit_code == 3);
    auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc["ips"].size() == 2);
    CHECK(doc["ips"][0]["ip"] == "192.0.2.1");
    CHECK(doc["ips"][1]["ip"] == "192.0.2.2");
    CHECK(doc["ips"][0]["zones"].size() == 1);
}

TEST_CASE("-q prints nothing when all is well")
{
    TempDir dir;
    RunResult status = run_smtpprobe({"-q", "--db", dir.file("h.db"), "status"});
    CHECK(status.exit_code == 0);
    CHECK(status.out.empty());
    write_file(dir.file("log"),
               "Nov 22 04:10:01 mail postfix/smtp[1]: 4F2A31C0123: to=<a@b.example>, "
               "relay=mx.b.example[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, "
               "dsn=2.0.0, status=sent (250 ok)\n");
    RunResult ingest =
        run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", "-q", dir.file("log")});
    CHECK(ingest.exit_code == 0);
    CHECK(ingest.out.empty());
    RunResult after = run_smtpprobe({"--db", dir.file("h.db"), "status", "-q"});
    CHECK(after.exit_code == 0);
    CHECK(after.out.empty());
}
