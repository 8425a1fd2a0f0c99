// `smtpprobe ingest log` as a user runs it: JSON lines with the documented fields and a last
// summary line, stdin (plain and gzip), --format forcing a parser, -v samples (escaped),
// silence on stderr when it is not a terminal, and one-line errors with their exit codes.
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace smtpprobe::test;

namespace {

const std::string k_seed = SMTPPROBE_CORPUS_DIR "/maillog/seed-sendmail.log";

std::vector<nlohmann::json> json_lines(const std::string& out)
{
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
}

RunOptions utc(std::string stdin_data = "")
{
    RunOptions options;
    options.stdin_data = std::move(stdin_data);
    options.env = {{"TZ", "UTC"}};
    return options;
}

} // namespace

TEST_CASE("ingest log --json: one line per attempt with the documented fields, then a summary")
{
    TempDir dir;
    RunResult run =
        run_smtpprobe({"--db", dir.file("h.db"), "--json", "ingest", "log", k_seed}, utc());
    CAPTURE(run.err);
    CHECK(run.exit_code == 1); // the 5.7.606 block and the backscatter receipt are findings
    CHECK(run.err.empty());    // no progress bar when stderr is not a terminal
    std::vector<nlohmann::json> lines = json_lines(run.out);
    REQUIRE(lines.size() == 7);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
        for (const char* field :
             {"time", "mta", "host", "queue_id", "recipient", "relay_host", "relay_ip", "dsn",
              "status", "reply", "provider", "scope", "reason", "provider_code"}) {
            CHECK_MESSAGE(lines[i].contains(field), field);
        }
        CHECK(lines[i]["mta"] == "sendmail");
    }
    const nlohmann::json& block = lines[2];
    // the year comes from the file's mtime (the seed's lines have none)
    CHECK(block["time"].get<std::string>().substr(4) == "-03-11T20:18:23Z");
    CHECK(block["queue_id"] == "x2BKIL2H005815");
    CHECK(block["relay_host"] == "mit-edu.mail.protection.outlook.com");
    CHECK(block["relay_ip"] == "");
    CHECK(block["dsn"] == "5.7.606");
    CHECK(block["provider"] == "microsoft-365");
    CHECK(block["reason"] == "blocked");
    const nlohmann::json& summary = lines.back()["summary"];
    CHECK(summary["deliveries"] == 6);
    // Both refusals of the seed story are blocks: Microsoft 365 (5.7.606 behind "User unknown")
    // and the Outlook.com EUR cluster ("Service unavailable" from eur.olc.protection.outlook.com).
    CHECK(summary["blocked"] == 2);
    CHECK(summary["backscatter_receipts"] == 1);
    CHECK(summary["sent"] == 4);
}

TEST_CASE("ingest log reads stdin, plain or gzip, and the text summary groups by scope")
{
    TempDir dir;
    std::string seed = read_file(k_seed);
    RunResult plain = run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", "-"}, utc(seed));
    CHECK(plain.exit_code == 1);
    CHECK(plain.out.find("6 delivery attempts (6 new)") != std::string::npos);
    CHECK(plain.out.find("microsoft-365") != std::string::npos);
    CHECK(plain.out.find("Backscatter") != std::string::npos);
    REQUIRE(run({"sh", "-c", "gzip -c " + k_seed + " > " + dir.file("seed.gz")}).exit_code == 0);
    RunResult gz = run_smtpprobe({"--db", dir.file("h2.db"), "--json", "ingest", "log", "-"},
                                 utc(read_file(dir.file("seed.gz"))));
    std::vector<nlohmann::json> lines = json_lines(gz.out);
    REQUIRE(!lines.empty());
    CHECK(lines.back()["summary"]["deliveries"] == 6);
    // the same lines through stdin again add nothing (same content, same source keys)
    RunResult again =
        run_smtpprobe({"--db", dir.file("h.db"), "--json", "ingest", "log", "-"}, utc(seed));
    CHECK(json_lines(again.out).back()["summary"]["new_deliveries"] == 0);
}

TEST_CASE("ingest log -v shows escaped samples of unparseable lines, --format forces a parser")
{
    TempDir dir;
    std::string text = "Nov 22 04:10:01 mail postfix/smtp[1]: 4F2A31C0123: to=<a@b.example>, "
                       "relay=mx.b.example[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, "
                       "dsn=2.0.0, status=sent (250 ok)\n"
                       "\x1b[2Jnot a log line\n";
    write_file(dir.file("log"), text);
    RunResult verbose =
        run_smtpprobe({"--db", dir.file("h.db"), "-v", "ingest", "log", dir.file("log")}, utc());
    CHECK(verbose.exit_code == 0);
    CHECK(verbose.err.find("\\x1b[2Jnot a log line") != std::string::npos);
    CHECK(verbose.err.find('\x1b') == std::string::npos);
    // forced sendmail: the Postfix line is not a sendmail delivery
    RunResult forced = run_smtpprobe({"--db", dir.file("h2.db"), "--json", "ingest", "log",
                                      "--format", "sendmail", dir.file("log")},
                                     utc());
    CHECK(json_lines(forced.out).back()["summary"]["deliveries"] == 0);
}

TEST_CASE("ingest log errors: one line, documented exit codes")
{
    TempDir dir;
    struct Case {
        std::vector<std::string> args;
        int exit_code;
        const char* message;
    };
    const Case cases[] = {
        {{"ingest", "log", "--format", "qmail", k_seed}, 2, "--format"},
        {{"ingest", "log", "--timezone", "Nowhere/Land", k_seed}, 2, "time zone"},
        {{"ingest", "log", "--year", "12", k_seed}, 2, "--year"},
        {{"ingest", "log", dir.file("missing.log")}, 3, "missing.log"},
        {{"ingest", "log"}, 2, "files"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args = {"--db", dir.file("h.db")};
        args.insert(args.end(), c.args.begin(), c.args.end());
        RunResult result = run_smtpprobe(args, utc());
        CAPTURE(result.err);
        CHECK(result.exit_code == c.exit_code);
        CHECK(result.err.find(c.message) != std::string::npos);
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
}
