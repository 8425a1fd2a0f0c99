// One verdict, read the same way everywhere (issue 14): a database filled from real data (a
// probe of a real Postfix that refuses us, a DNSBL listing served by dnsmasq, the seed story's
// sendmail log, the sample bounces, a note) gives, for every sending IP x scope, the same state
// in `status --json`, `/api/overview`, `/metrics` (smtpprobe_blocked) and the alert events.
// Reading never writes: `status` leaves the file byte-identical, and `status` and `serve` work
// on a copy the user can read but not write.
#include "tests/support/child_process.hpp"
#include "tests/support/dns_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/identity_refusal.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>

using namespace smtpprobe::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_ip = k_identity_ip;
constexpr const char* k_reject = k_s3140_access_line;

using Key = std::pair<std::string, std::string>; // (ip, scope)

RunResult cli(const TempDir& dir, const std::string& db, std::vector<std::string> args,
              const std::vector<std::string>& prefix = {})
{
    std::vector<std::string> full = prefix;
    if (!prefix.empty()) {
        full.push_back(SMTPPROBE_BINARY);
    }
    for (const std::string& a :
         {std::string("--config"), dir.file("config.toml"), std::string("--db"), db}) {
        full.push_back(a);
    }
    full.insert(full.end(), args.begin(), args.end());
    RunOptions options;
    options.timeout = std::chrono::seconds(120);
    return prefix.empty() ? run_smtpprobe(full, options) : run(full, options);
}

std::map<Key, std::string> status_states(const json& doc)
{
    std::map<Key, std::string> out;
    for (const json& s : doc["scopes"]) {
        out[{s["ip"], s["scope"]}] = s["state"];
    }
    return out;
}

std::map<Key, std::string> overview_states(const json& doc)
{
    std::map<Key, std::string> out;
    for (const json& c : doc["cells"]) {
        out[{c["ip"], c["scope"]}] = c["state"];
    }
    return out;
}

// A label's value in one exposition line (values escaped as the format says).
std::string label(const std::string& line, const std::string& name)
{
    const std::string start = name + "=\"";
    std::size_t at = line.find(start);
    if (at == std::string::npos) {
        return {};
    }
    std::string value;
    for (std::size_t i = at + start.size(); i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
        } else {
            value += line[i];
        }
    }
    return value;
}

// smtpprobe_blocked per (ip, scope): 1 or 0.
std::map<Key, int> metrics_blocked(const std::string& text)
{
    std::map<Key, int> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("smtpprobe_blocked{", 0) == 0) {
            out[{label(line, "ip"), label(line, "scope")}] =
                line.substr(line.rfind(' ') + 1) == "1" ? 1 : 0;
        }
    }
    return out;
}

// The alert state per (ip, scope): blocked after an opened/listed event not followed by a
// closed/delisted one, in the order the events happened.
std::map<Key, std::string> alert_states(const std::string& db)
{
    RunResult r = run({"sqlite3", db, "SELECT payload FROM alert_event ORDER BY id"});
    std::map<Key, std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        json p = json::parse(line);
        const std::string event = p["event"];
        if (!p.contains("scope") || !p["scope"].is_string()) {
            continue;
        }
        Key key{p.value("ip", ""), p["scope"]};
        if (event == "episode_opened" || event == "dnsbl_listed") {
            out[key] = "blocked";
        } else if (event == "episode_closed" || event == "dnsbl_delisted") {
            out[key] = "clear";
        }
    }
    return out;
}

std::string file_bytes(const std::string& path)
{
    return read_file(path);
}

} // namespace

TEST_CASE("status, /api/overview, /metrics and the alerts agree on every IP and scope, and "
          "reading never writes")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("Postfix needs root");
    }
    const std::string corpus = SMTPPROBE_CORPUS_DIR;
    if (!fs::is_directory(corpus + "/bounces")) {
        SMTPPROBE_SKIP("no shared corpus at " << corpus);
    }
    PostfixConfig pc;
    pc.domain = "rcv.test";
    pc.hostname = "mx.rcv.test";
    pc.client_access = k_reject;
    PostfixInstance postfix(pc);
    postfix.start();
    // bl.test lists our IP, and its RFC 5782 test entry (127.0.0.2) shows the zone is alive.
    DnsServer dns({"--mx-host=rcv.test,mx.rcv.test,10", "--host-record=mx.rcv.test,127.0.0.1",
                   "--address=/2.0.0.127.bl.test/127.0.0.2",
                   "--address=/10.0.0.127.bl.test/127.0.0.2",
                   "--txt-record=10.0.0.127.bl.test,listed for testing"},
                  {"test"});
    TempDir dir;
    chmod(dir.path().c_str(), 0755);
    const std::string db = dir.file("history.db");
    write_file(dir.file("config.toml"),
               "dns_server = \"" + dns.address() + "\"\n[[identity]]\nname = \"main\"\nip = \"" +
                   k_ip +
                   "\"\nhelo = \"mail.sender.test\"\nmail_from = \"probe@sender.test\"\n"
                   "[probes]\ndefault_receivers = false\ntimeout = 20\nstarttls = false\n"
                   "[[receiver]]\nname = \"lab\"\ndomain = \"rcv.test\"\nport = " +
                   std::to_string(postfix.port()) +
                   "\nrecipient = \"user@rcv.test\"\ninterval = \"1h\"\n"
                   "[dnsbl]\ndefault_zones = false\ninterval = \"1h\"\n"
                   "[[dnsbl.zone]]\nname = \"Test BL\"\nzone = \"bl.test\"\n"
                   "[episodes]\nopen_after = 1\nclose_after = 1\n");

    // Fill from every source.
    RunResult first = cli(dir, db, {"run"});
    CAPTURE(first.out);
    CAPTURE(first.err);
    REQUIRE(first.exit_code == 1);
    REQUIRE(cli(dir, db, {"ingest", "log", corpus + "/maillog/seed-sendmail.log"}).exit_code != 2);
    std::vector<std::string> bounce_args = {"ingest", "bounce"};
    for (const auto& entry : fs::directory_iterator(corpus + "/bounces")) {
        if (entry.path().extension() == ".eml") {
            bounce_args.push_back(entry.path().string());
        }
    }
    REQUIRE(bounce_args.size() > 50);
    RunResult bounced = cli(dir, db, bounce_args);
    CAPTURE(bounced.err);
    REQUIRE(bounced.exit_code != 2);
    REQUIRE(bounced.exit_code != 3);
    REQUIRE(cli(dir, db, {"note", "--ip", k_ip, "--scope", "dnsbl/bl.test", "delist", "asked"})
                .exit_code == 0);
    // The next tick folds and enqueues alerts for what ingest found (nothing is due to probe).
    RunResult second = cli(dir, db, {"run"});
    CAPTURE(second.err);
    REQUIRE(second.exit_code != 2);
    REQUIRE(second.exit_code != 3);

    // status leaves the file byte-identical.
    const std::string before = file_bytes(db);
    RunResult status = cli(dir, db, {"status", "--json"});
    REQUIRE(status.exit_code == 1);
    CHECK(file_bytes(db) == before);
    // A reader of a WAL database may leave SQLite's empty -wal and -shm beside it; nothing
    // is written to either.
    CHECK((!fs::exists(db + "-wal") || fs::file_size(db + "-wal") == 0));
    CHECK_FALSE(fs::exists(db + "-journal"));
    const std::map<Key, std::string> from_status = status_states(json::parse(status.out));

    // A copy the user can read but not write, in a folder they cannot write either.
    TempDir ro;
    chmod(ro.path().c_str(), 0755);
    const std::string ro_db = ro.file("history.db");
    fs::copy_file(db, ro_db);
    chmod(ro_db.c_str(), 0644);
    const std::vector<std::string> as_nobody = {"setpriv", "--reuid=nobody", "--regid=nogroup",
                                                "--clear-groups", "--reset-env"};
    RunResult ro_status = cli(dir, ro_db, {"status", "--json"}, as_nobody);
    CAPTURE(ro_status.err);
    CHECK(ro_status.exit_code == 1);
    REQUIRE_FALSE(ro_status.out.empty());
    CHECK(status_states(json::parse(ro_status.out)) == from_status);
    CHECK(file_bytes(ro_db) == before);

    const int port = free_tcp_port();
    std::vector<std::string> serve = as_nobody;
    for (const std::string& a :
         {std::string(SMTPPROBE_BINARY), std::string("--config"), dir.file("config.toml"),
          std::string("--db"), ro_db, std::string("serve"), std::string("--listen"),
          "127.0.0.1:" + std::to_string(port)}) {
        serve.push_back(a);
    }
    Daemon server(serve, ro.file("serve.log"));
    REQUIRE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(10)));
    HttpResult overview = http_get(port, "/api/overview");
    CAPTURE(read_file(ro.file("serve.log")));
    REQUIRE(overview.status == 200);
    HttpResult metrics = http_get(port, "/metrics");
    REQUIRE(metrics.status == 200);
    server.stop();
    CHECK(file_bytes(ro_db) == before);

    const std::map<Key, std::string> from_overview = overview_states(json::parse(overview.body));
    const std::map<Key, int> from_metrics = metrics_blocked(metrics.body);
    const std::map<Key, std::string> from_alerts = alert_states(db);

    // Enough real variety to mean something: several scopes, blocks among them.
    REQUIRE(from_status.size() >= 5);
    int blocked = 0;
    for (const auto& [key, state] : from_status) {
        CAPTURE(key.first);
        CAPTURE(key.second);
        blocked += state == "blocked";
        REQUIRE(from_overview.contains(key));
        CHECK(from_overview.at(key) == state);
        // /metrics keeps one series per scope that is or ever was blocked (cardinality): a
        // missing series is 0.
        const int series = from_metrics.contains(key) ? from_metrics.at(key) : 0;
        CHECK(series == (state == "blocked" ? 1 : 0));
        const std::string alerted = from_alerts.contains(key) ? from_alerts.at(key) : "clear";
        CHECK(alerted == (state == "blocked" ? "blocked" : "clear"));
    }
    CHECK(blocked >= 2); // the refused probe and the listing at least
    CHECK(from_status.at({k_ip, "dnsbl/bl.test"}) == "blocked");
    // Nothing is shown anywhere that status does not know.
    for (const auto& [key, state] : from_overview) {
        CHECK(from_status.contains(key));
    }
    for (const auto& [key, value] : from_metrics) {
        CHECK(from_status.contains(key));
    }
    for (const auto& [key, state] : from_alerts) {
        CHECK(from_status.contains(key));
    }
}
