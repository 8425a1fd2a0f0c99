// `smtpprobe run` fetching Microsoft SNDS feeds from an HTTPS server the test starts on
// loopback (tests/support/https_server.hpp, a certificate made by openssl and trusted through
// SSL_CERT_FILE): a blocked range opens an episode for Outlook.com with its action and an
// alert; a normal status closes it; a RED filter, trap hits and complaints become findings and
// alerts; malformed rows are counted, an HTML page, HTTP 401 and a server that never answers
// fail the part with one line; an untrusted certificate is refused. The key reaches the server
// and nothing else: not the output (text or --json), not stderr, not the database, not the web.
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/https_server.hpp"
#include "tests/support/postfix_instance.hpp"

#include <cstdio>
#include <ctime>
#include <doctest/doctest.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/stat.h>

using namespace smtpprobe::test;
using nlohmann::json;

namespace {

constexpr const char* k_key = "5e1f8c2a-0b7d-4c11-9a3e-7f00d1c0ffee";
constexpr const char* k_ip = "192.0.2.10";

// A day before today as SNDS writes it ("M/D/YYYY") or as ISO ("YYYY-MM-DD"): alerts older
// than a week are recorded but not sent, so the feeds' periods are moved to recent days.
std::string day(int days_ago, bool iso)
{
    const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days_ago) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[48];
    if (iso) {
        std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
    } else {
        std::snprintf(out, sizeof out, "%d/%d/%d", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900);
    }
    return out;
}

void replace_all(std::string& text, const std::string& from, const std::string& to)
{
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

// A feed of tests/data/reports/snds with its 5/1/2026 and 5/2/2026 moved to two days ago and
// yesterday.
std::string data_file(const std::string& name)
{
    std::string text =
        read_file(std::string(SMTPPROBE_SOURCE_DIR) + "/tests/data/reports/snds/" + name);
    replace_all(text, "5/1/2026", day(2, false));
    replace_all(text, "5/2/2026", day(1, false));
    return text;
}

struct Fixture {
    TempDir dir;
    TlsFiles tls = make_self_signed_cert(dir.path(), "localhost");
    HttpsServer server{tls.cert_path, tls.key_path};

    Fixture()
    {
        write_file(dir.file("snds.key"), std::string(k_key) + "\n");
        ::chmod(dir.file("snds.key").c_str(), 0600);
        std::ostringstream c;
        c << "[[identity]]\nname = \"main\"\nip = \"" << k_ip << "\"\n"
          << "helo = \"mail.example.org\"\nmail_from = \"postmaster@example.org\"\n"
          << "[probes]\ndefault_receivers = false\n"
          << "[dnsbl]\ndefault_zones = false\n"
          << "[hygiene]\nenabled = false\n"
          << "[snds]\nkey_file = \"" << dir.file("snds.key") << "\"\ntimeout = \"2s\"\n"
          << "[[alerts.command]]\nname = \"file\"\ncommand = \"cat >> " << dir.file("alerts.jsonl")
          << "\"\n";
        write_file(dir.file("config.toml"), c.str());
        ::chmod(dir.file("config.toml").c_str(), 0644); // the key is in key_file, not here
    }

    void serve(const std::string& status, const std::string& data)
    {
        server.set("/snds/ipStatus.aspx", {200, status});
        server.set("/snds/data.aspx", {200, data});
    }

    RunResult cli(std::vector<std::string> args, bool trust = true)
    {
        std::vector<std::string> full = {"--config", dir.file("config.toml"), "--db",
                                         dir.file("history.db")};
        full.insert(full.end(), args.begin(), args.end());
        RunOptions options;
        options.timeout = std::chrono::seconds(60);
        if (trust) {
            options.env["SSL_CERT_FILE"] = tls.cert_path;
        }
        return run_smtpprobe(full, options);
    }

    RunResult tick(bool json_out = false, bool trust = true)
    {
        std::vector<std::string> args = {"run", "--now", "--snds-url",
                                         "https://127.0.0.1:" + std::to_string(server.port()) +
                                             "/snds/"};
        if (json_out) {
            args.push_back("--json");
        }
        RunResult r = cli(args, trust);
        outputs += r.out + r.err;
        return r;
    }

    std::string sql(const std::string& query)
    {
        return run({"sqlite3", dir.file("history.db"), query}).out;
    }

    std::vector<json> alerts()
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

    std::string outputs; // everything run printed, to search for the key
};

const json* scope_of(const json& status, const std::string& scope)
{
    for (const json& s : status["scopes"]) {
        if (s["scope"] == scope) {
            return &s;
        }
    }
    return nullptr;
}

} // namespace

TEST_CASE_FIXTURE(Fixture, "SNDS: blocked range, then normal status, then a RED filter")
{
    // 1. A range covering our IP is blocked: evidence, an episode, the action, an alert.
    serve(data_file("ip-status-blocked.csv"), data_file("data-green.csv"));
    RunResult r = tick(true);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    const json report = json::parse(r.out);
    bool snds_part = false;
    for (const json& part : report["parts"]) {
        if (part["part"] == "snds") {
            snds_part = true;
            CHECK(part["ok"] == true);
            CHECK(part["detail"].get<std::string>().find("192.0.2.10 BLOCKED") !=
                  std::string::npos);
        }
    }
    CHECK(snds_part);
    CHECK(sql("SELECT verdict, scope, provider_code FROM evidence WHERE source_kind = 'snds'") ==
          "blocked|microsoft-consumer/outlook-com|SNDS\n");
    RunResult status = cli({"status", "--json"});
    outputs += status.out + status.err;
    json doc = json::parse(status.out);
    const json* outlook = scope_of(doc, "microsoft-consumer/outlook-com");
    REQUIRE(outlook != nullptr);
    CHECK((*outlook)["state"] == "blocked");
    CHECK((*outlook)["action"].get<std::string>().find("Blocked due to user complaints") !=
          std::string::npos);
    CHECK((*outlook)["action"].get<std::string>().find("https://sender.office.com/") !=
          std::string::npos);
    auto alerts = this->alerts();
    REQUIRE(alerts.size() == 1);
    CHECK(alerts[0]["event"] == "episode_opened");
    CHECK(alerts[0]["scope"] == "microsoft-consumer/outlook-com");
    CHECK(alerts[0]["ip"] == k_ip);

    // 2. Normal status (no range): the account knows the IP, so it is clear: episode closed.
    serve(data_file("ip-status-normal.csv"), data_file("data-green.csv"));
    r = tick();
    CHECK(r.exit_code == 0);
    CHECK(sql("SELECT group_concat(verdict) FROM (SELECT verdict FROM evidence "
              "WHERE source_kind = 'snds' ORDER BY id)") == "blocked,clear\n");
    CHECK(sql("SELECT count(*) FROM episode WHERE closed IS NOT NULL") == "1\n");
    alerts = this->alerts();
    REQUIRE(alerts.size() == 2);
    CHECK(alerts[1]["event"] == "episode_closed");

    // 3. The next day's data: RED, trap hits, 0.4% complaints: three findings, three alerts.
    serve(data_file("ip-status-normal.csv"), data_file("data-red.csv"));
    r = tick();
    CHECK(r.exit_code == 0);
    CHECK(sql("SELECT filter, trap_hits, complaint_percent FROM snds_data WHERE start_time = '" +
              day(1, true) + "T00:00:00Z'") == "RED|3|0.4\n");
    CHECK(sql("SELECT group_concat(kind) FROM (SELECT kind FROM finding ORDER BY id)") ==
          "snds-filter,snds-traps,snds-complaints\n");
    alerts = this->alerts();
    REQUIRE(alerts.size() == 5);
    CHECK(alerts[2]["event"] == "finding");
    CHECK(alerts[2]["finding_kind"] == "snds-filter");
    CHECK(alerts[2]["summary"].get<std::string>().find("GREEN -> RED") != std::string::npos);
    // The same feed again changes nothing and alerts nothing.
    r = tick();
    CHECK(this->alerts().size() == 5);

    // The key went to the server (every request carries it) and nowhere else.
    const auto targets = server.targets();
    REQUIRE(targets.size() == 8);
    for (const std::string& t : targets) {
        CHECK(t.find(std::string("?key=") + k_key) != std::string::npos);
    }
    CHECK(outputs.find(k_key) == std::string::npos);
    CHECK(read_file(dir.file("alerts.jsonl")).find(k_key) == std::string::npos);
    const std::string dump = run({"sqlite3", dir.file("history.db"), ".dump"}).out;
    CHECK(dump.find("snds_fetch") != std::string::npos);
    CHECK(dump.find(k_key) == std::string::npos);
    // The web: the dashboard's API, metrics and pages.
    const int port = free_tcp_port();
    Daemon web({SMTPPROBE_BINARY, "--config", dir.file("config.toml"), "--db",
                dir.file("history.db"), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
               dir.file("serve.log"));
    REQUIRE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(20)));
    for (const char* target : {"/api/status", "/api/overview", "/api/evidence", "/api/timeline",
                               "/api/reports", "/api/ingest", "/metrics", "/", "/reports.html"}) {
        const HttpResult got = http_get(port, target);
        INFO(target);
        CHECK(got.status == 200);
        CHECK(got.body.find(k_key) == std::string::npos);
    }
    const HttpResult metrics = http_get(port, "/metrics");
    CHECK(metrics.body.find("smtpprobe_snds_filter{ip=\"192.0.2.10\",result=\"RED\"} 1") !=
          std::string::npos);
    CHECK(metrics.body.find("smtpprobe_snds_trap_hits{ip=\"192.0.2.10\"} 3") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "SNDS: malformed rows are counted, a non-CSV answer fails the part")
{
    serve(data_file("ip-status-normal.csv"), data_file("data-malformed.csv"));
    RunResult r = tick(true);
    CHECK(r.exit_code == 0);
    CHECK(sql("SELECT rows, malformed FROM snds_fetch WHERE feed = 'data'") == "1|3\n");
    CHECK(sql("SELECT count(*) FROM snds_data") == "1\n");
    serve("<html><body>Please sign in</body></html>\n", data_file("data-green.csv"));
    r = tick();
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("not an SNDS CSV feed") != std::string::npos);
    CHECK(sql("SELECT outcome FROM snds_fetch WHERE feed = 'ip-status' ORDER BY id DESC LIMIT 1") ==
          "error\n");
    CHECK(outputs.find(k_key) == std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "SNDS: HTTP 401, a server that never answers, an untrusted certificate")
{
    server.set("/snds/ipStatus.aspx", {401, "Unauthorized", "text/plain"});
    server.set("/snds/data.aspx", {401, "Unauthorized", "text/plain"});
    RunResult r = tick();
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("HTTP 401 (the SNDS key was refused") != std::string::npos);
    CHECK(sql("SELECT count(*) FROM evidence") == "0\n");

    HttpsReply hang;
    hang.hang = true;
    server.set("/snds/ipStatus.aspx", hang);
    server.set("/snds/data.aspx", hang);
    const auto started = std::chrono::steady_clock::now();
    r = tick();
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("no answer within 2 s") != std::string::npos);
    CHECK(took < std::chrono::seconds(20));
    CHECK(sql("SELECT group_concat(outcome) FROM snds_fetch WHERE id > 2") == "timeout,timeout\n");

    serve(data_file("ip-status-blocked.csv"), data_file("data-green.csv"));
    r = tick(false, false); // the test's certificate is not trusted: refused
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("certificate verify failed") != std::string::npos);
    CHECK(sql("SELECT count(*) FROM evidence") == "0\n");
    CHECK(outputs.find(k_key) == std::string::npos);
}

TEST_CASE("SNDS: a key in a file others can read is a config error naming the file")
{
    TempDir dir;
    write_file(dir.file("snds.key"), std::string(k_key) + "\n");
    ::chmod(dir.file("snds.key").c_str(), 0644);
    write_file(dir.file("config.toml"), "[snds]\nkey_file = \"" + dir.file("snds.key") + "\"\n");
    RunResult r =
        run_smtpprobe({"--config", dir.file("config.toml"), "--db", dir.file("history.db"), "run"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("chmod 600 " + dir.file("snds.key")) != std::string::npos);
    CHECK(r.err.find(k_key) == std::string::npos);
    // An inline key makes the config file itself the secret.
    write_file(dir.file("inline.toml"), std::string("[snds]\nkey = \"") + k_key + "\"\n");
    ::chmod(dir.file("inline.toml").c_str(), 0644);
    r = run_smtpprobe({"--config", dir.file("inline.toml"), "config", "check"});
    CHECK(r.exit_code == 2);
    CHECK((r.out + r.err).find(k_key) == std::string::npos);
    ::chmod(dir.file("inline.toml").c_str(), 0600);
    r = run_smtpprobe({"--config", dir.file("inline.toml"), "config", "check"});
    CHECK(r.exit_code == 0);
}
