// `smtpprobe run` end to end with real peers on loopback: dnsmasq serves the receiver's MX
// records and a test DNSBL zone; a real Postfix refuses our identity IP with Outlook's
// "(S3140)" text through its client access map for a while, then accepts. Repeated runs open
// one episode per scope (after the configured two confirmations), then close it, at the
// times of the evidence that decided; a command hook gets exactly one alert per change;
// `status` and `status --json` agree; a second concurrent run exits at once.
#include "tests/support/child_process.hpp"
#include "tests/support/dns_server.hpp"
#include "tests/support/identity_refusal.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sstream>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

using namespace smtpprobe::test;
using nlohmann::json;

namespace {

constexpr const char* k_ip = k_identity_ip;
constexpr const char* k_reject = k_s3140_access_line;

std::unique_ptr<DnsServer> start_dns(bool listed)
{
    std::vector<std::string> records = {
        "--mx-host=rcv.test,mx.rcv.test,10",
        "--host-record=mx.rcv.test,127.0.0.1",
        // RFC 5782 test entry: 127.0.0.2 is listed, 127.0.0.1 is not.
        "--address=/2.0.0.127.bl.test/127.0.0.2",
    };
    if (listed) {
        records.push_back("--address=/10.0.0.127.bl.test/127.0.0.2");
        records.push_back("--txt-record=10.0.0.127.bl.test,listed for testing");
    }
    return std::make_unique<DnsServer>(records, std::vector<std::string>{"test"});
}

void write_config(const TempDir& dir, const DnsServer& dns, int port, const std::string& interval)
{
    std::ostringstream c;
    c << "dns_server = \"" << dns.address() << "\"\n"
      << "[[identity]]\nname = \"main\"\nip = \"" << k_ip << "\"\n"
      << "helo = \"mail.sender.test\"\nmail_from = \"probe@sender.test\"\n"
      << "[probes]\ndefault_receivers = false\ntimeout = 20\nstarttls = false\n"
      << "[[receiver]]\nname = \"lab\"\ndomain = \"rcv.test\"\nport = " << port
      << "\nrecipient = \"user@rcv.test\"\ninterval = \"" << interval
      << "\"\nmin_interval = 1\njitter = 1\n"
      << "[dnsbl]\ndefault_zones = false\ninterval = \"" << interval << "\"\n"
      << "[[dnsbl.zone]]\nname = \"Test BL\"\nzone = \"bl.test\"\n"
      << "delist_url = \"https://bl.test/remove\"\n"
      << "[episodes]\nopen_after = 2\nclose_after = 1\n"
      << "[[alerts.command]]\nname = \"file\"\ncommand = \"cat >> " << dir.file("alerts.jsonl")
      << "\"\n";
    write_file(dir.file("config.toml"), c.str());
}

RunResult run_cli(const TempDir& dir, std::vector<std::string> args)
{
    std::vector<std::string> full = {"--config", dir.file("config.toml"), "--db",
                                     dir.file("history.db")};
    full.insert(full.end(), args.begin(), args.end());
    RunOptions options;
    options.timeout = std::chrono::seconds(90);
    return run_smtpprobe(full, options);
}

// Waits until the schedule (1 s intervals, seconds precision, jitter up to 1 s) is due again.
void next_tick()
{
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
}

std::vector<std::string> probe_times(const TempDir& dir)
{
    auto r =
        run({"sqlite3", dir.file("history.db"), "SELECT started_at FROM probe_run ORDER BY id"});
    std::vector<std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

std::vector<json> alerts_of(const TempDir& dir)
{
    std::vector<json> out;
    std::istringstream in(read_file(dir.file("alerts.jsonl")));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.push_back(json::parse(line));
        }
    }
    return out;
}

const json* find_scope(const json& doc, const std::string& scope)
{
    for (const json& s : doc["scopes"]) {
        if (s["scope"] == scope) {
            return &s;
        }
    }
    return nullptr;
}

// Every scope of the JSON appears in the human status with the same state: a blocked one in
// the "Blocked or listed now" lines with its since (UTC to the minute), the others as a table
// row with their state.
void check_status_agrees(const TempDir& dir)
{
    auto table = run_cli(dir, {"status", "--all"});
    auto doc_run = run_cli(dir, {"status", "--json"});
    CHECK(table.exit_code == doc_run.exit_code);
    json doc = json::parse(doc_run.out);
    for (const json& s : doc["scopes"]) {
        const std::string scope = s["scope"].get<std::string>();
        const std::string state = s["state"].get<std::string>();
        const bool blocked = state == "blocked";
        std::string line;
        std::istringstream in(table.out);
        for (std::string l; std::getline(in, l);) {
            const bool attention =
                l.find(" x " + scope + (blocked ? " " : "")) != std::string::npos;
            const bool row = l.find(" " + scope + " ") != std::string::npos &&
                             l.find(" " + state + " ") != std::string::npos;
            if (blocked ? attention : row) {
                line = l;
            }
        }
        CAPTURE(s.dump());
        CAPTURE(table.out);
        REQUIRE_FALSE(line.empty());
        if (blocked && s["since"].is_string()) {
            const std::string since = s["since"].get<std::string>();
            CHECK(line.find("since " + since.substr(0, 10) + " " + since.substr(11, 5) + " UTC") !=
                  std::string::npos);
        }
    }
}

} // namespace

TEST_CASE("repeated runs open one episode per scope, then close it, alerting once each")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("Postfix needs root");
    }
    TempDir dir;
    PostfixConfig pc;
    pc.domain = "rcv.test";
    pc.hostname = "mx.rcv.test";
    pc.client_access = k_reject;
    PostfixInstance postfix(pc);
    postfix.start();
    auto dns = start_dns(true);
    write_config(dir, *dns, postfix.port(), "1");
    REQUIRE(run_cli(dir, {"config", "check", dir.file("config.toml")}).exit_code == 0);

    // Run 1: refused and listed once: not yet confirmed (open_after = 2).
    auto r1 = run_cli(dir, {"run"});
    CAPTURE(r1.out);
    CAPTURE(r1.err);
    CHECK(r1.exit_code == 0);
    json s1 = json::parse(run_cli(dir, {"status", "--json"}).out);
    CHECK(s1["episodes"].empty());
    REQUIRE(find_scope(s1, "dnsbl/bl.test"));
    CHECK((*find_scope(s1, "dnsbl/bl.test"))["state"] == "unknown");

    // Run 2: confirmed: one episode per scope, opened at run 1's evidence.
    next_tick();
    auto r2 = run_cli(dir, {"run"});
    CAPTURE(r2.out);
    CAPTURE(r2.err);
    CHECK(r2.exit_code == 1);
    auto times = probe_times(dir);
    REQUIRE(times.size() == 2);
    json s2 = json::parse(run_cli(dir, {"status", "--json"}).out);
    REQUIRE(s2["episodes"].size() == 2);
    std::string probe_scope;
    for (const json& e : s2["episodes"]) {
        CHECK(e["ip"] == k_ip);
        CHECK(e["closed"].is_null());
        CHECK(e["evidence_count"] == 2);
        if (e["scope"] != "dnsbl/bl.test") {
            probe_scope = e["scope"];
            CHECK(e["opened"] == times[0]);
            CHECK(e["provider_code"] == "S3140");
        }
    }
    REQUIRE_FALSE(probe_scope.empty());
    CHECK((*find_scope(s2, probe_scope))["state"] == "blocked");
    CHECK((*find_scope(s2, "dnsbl/bl.test"))["state"] == "blocked");
    CHECK((*find_scope(s2, "dnsbl/bl.test"))["action"].get<std::string>().find(
              "https://bl.test/remove") != std::string::npos);
    check_status_agrees(dir);

    // A second run while one holds the lock exits at once, saying why.
    {
        int fd = open((dir.file("history.db") + ".lock").c_str(), O_RDWR | O_CREAT, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
        auto locked = run_cli(dir, {"run"});
        CHECK(locked.exit_code == 3);
        CHECK(locked.err.find("another smtpprobe run") != std::string::npos);
        close(fd);
    }

    // Delisted and accepted again: the next run closes both at its evidence.
    postfix.set_access_map(AccessMap::client, "");
    dns = start_dns(false);
    write_config(dir, *dns, postfix.port(), "1h");
    next_tick();
    auto r3 = run_cli(dir, {"run"});
    CAPTURE(r3.out);
    CAPTURE(r3.err);
    CHECK(r3.exit_code == 0);
    times = probe_times(dir);
    REQUIRE(times.size() == 3);
    json s3 = json::parse(run_cli(dir, {"status", "--json"}).out);
    REQUIRE(s3["episodes"].size() == 2);
    for (const json& e : s3["episodes"]) {
        REQUIRE(e["closed"].is_string());
        if (e["scope"] == probe_scope) {
            CHECK(e["closed"] == times[2]);
        }
    }
    CHECK((*find_scope(s3, probe_scope))["state"] == "clear");
    CHECK((*find_scope(s3, "dnsbl/bl.test"))["state"] == "clear");
    check_status_agrees(dir);

    // Nothing is due now (1 h intervals): a run does nothing and sends nothing again.
    auto r4 = run_cli(dir, {"--json", "run"});
    CHECK(r4.exit_code == 0);
    json report = json::parse(r4.out);
    for (const json& part : report["parts"]) {
        if (part["part"] == "probes" || part["part"] == "dnsbl") {
            CHECK(part["detail"] == "none due");
        }
    }
    CHECK(probe_times(dir).size() == 3);

    auto alerts = alerts_of(dir);
    std::vector<std::string> kinds;
    for (const json& a : alerts) {
        kinds.push_back(a["event"]);
    }
    std::sort(kinds.begin(), kinds.end());
    CHECK(kinds == std::vector<std::string>{"dnsbl_delisted", "dnsbl_listed", "episode_closed",
                                            "episode_opened"});
}
