// A fleet on one PostgreSQL history (issue 20), on the tests' real PostgreSQL 15 server
// (tests/support/pg_server.sh; ctest runs this file only with SMTPPROBE_TEST_PG_URL set):
//   - eight nodes' `smtpprobe run` (each ingesting its own MTA log; the logs do not name the
//     sending IP and no identity is configured, so every node's evidence lands on the same
//     keys, "this server" and the receiver's scope, at interleaved moments) started at once
//     write exactly the rows, episodes and alerts that the same eight runs write one after the
//     other; eight nodes that start on an empty database at once migrate it once;
//   - TLS to the server with sslmode=verify-full: the right name connects, a wrong one is
//     refused with the server's reason;
//   - a read-only role (docs/postgresql.md) is enough for `status`, and `run` with it fails
//     with a clear message instead of writing;
//   - a password in --db is refused before anything connects.
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/table_dump.hpp"
#include "tests/support/test_history.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <doctest/doctest.h>
#include <future>
#include <libpq-fe.h>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

constexpr int k_nodes = 8;

void require_postgresql()
{
    if (!testing_postgresql()) {
        MESSAGE("SKIP: needs the tests' PostgreSQL server (SMTPPROBE_TEST_PG_URL)");
        std::exit(77);
    }
}

// Node n's Postfix log: blocks and deliveries to Outlook.com and Gmail, every third minute
// through one day, each node at its own second of the minute (no two nodes share a time).
void write_node_log(const std::string& path, int node, unsigned seed)
{
    std::FILE* out = std::fopen(path.c_str(), "w");
    REQUIRE(out != nullptr);
    std::mt19937 random(seed + static_cast<unsigned>(node));
    const char* const hosts[] = {"hotmail-com.olc.protection.outlook.com[52.101.68.20]:25",
                                 "gmail-smtp-in.l.google.com[142.250.102.27]:25"};
    // The receivers' refusals, before and after the sending IP's last octet.
    const char* const blocked[][2] = {
        {"dsn=5.7.1, status=bounced (host x[52.101.68.20] said: 550 5.7.1 Unfortunately, "
         "messages from [203.0.113.",
         "] weren't sent. Please contact your Internet service provider since part of their "
         "network is on our block list (S3140). (in reply to MAIL FROM command))"},
        {"dsn=4.7.28, status=deferred (host x[142.250.102.27] said: 421-4.7.28 Gmail has "
         "detected an unusual rate of unsolicited mail originating from your IP address "
         "203.0.113.",
         ". (in reply to end of DATA command))"}};
    for (int minute = 0; minute < 24 * 60; minute += 3) {
        const int receiver = static_cast<int>(random() % 2);
        // Blocked in the middle hours of the day, clear before and after: episodes open and
        // close, and both nodes of a pair see it.
        const bool block = minute > 6 * 60 && minute < 14 * 60 && random() % 4 != 0;
        char qid[16];
        std::snprintf(qid, sizeof qid, "%02X%08X", node, minute);
        std::fprintf(out,
                     "Nov  3 %02d:%02d:%02d node%d postfix/qmgr[9]: %s: from=<s@example.com>, "
                     "size=1200, nrcpt=1 (queue active)\n",
                     minute / 60, minute % 60, node, node, qid);
        std::fprintf(out,
                     "Nov  3 %02d:%02d:%02d node%d postfix/smtp[10]: %s: to=<u%d@%s>, "
                     "relay=%s, delay=1, delays=0/0/0/1, ",
                     minute / 60, minute % 60, node + 1, node, qid, minute,
                     receiver == 0 ? "outlook.com" : "gmail.com", hosts[receiver]);
        if (block) {
            std::fprintf(out, "%s%d%s", blocked[receiver][0], 10 + node / 2, blocked[receiver][1]);
        } else {
            std::fprintf(out, "dsn=2.0.0, status=sent (250 2.0.0 OK)");
        }
        std::fprintf(out, "\n");
    }
    std::fclose(out);
}

void write_node_config(const TempDir& dir, int node, const std::string& history)
{
    std::ostringstream c;
    c << "db = \"" << history << "\"\n"
      << "dns_server = \"127.0.0.1:1\"\n"
      << "[run]\nnode = \"node-" << node << "\"\n"
      << "[probes]\ndefault_receivers = false\n"
      << "[dnsbl]\ndefault_zones = false\n"
      << "[hygiene]\nenabled = false\n"
      << "[episodes]\nopen_after = 2\nclose_after = 2\n"
      << "[[log]]\npath = \"" << dir.file("node" + std::to_string(node) + ".log")
      << "\"\nformat = \"postfix\"\n"
      << "[[alerts.command]]\nname = \"file\"\ncommand = \"cat >> "
      << dir.file("alerts-" + history.substr(history.rfind('/') + 1) + ".jsonl") << "\"\n";
    write_file(dir.file("node" + std::to_string(node) + "-" +
                        history.substr(history.rfind('/') + 1) + ".toml"),
               c.str());
}

std::vector<std::string> run_args(const TempDir& dir, int node, const std::string& history)
{
    return {SMTPPROBE_BINARY, "--config",
            dir.file("node" + std::to_string(node) + "-" + history.substr(history.rfind('/') + 1) +
                     ".toml"),
            "-q", "run"};
}

// Rows that must be the same whatever order the nodes ran in: no ids (they follow the order
// of commits), no times of our own clock.
std::string fleet_dump(const std::string& history)
{
    smtpprobe::store::Database db(history, smtpprobe::store::Database::Mode::read_only);
    const DumpQuery queries[] = {
        {"SELECT time, host, queue_id, recipient, dsn, status, scope, reason, provider_code, "
         "source_key FROM delivery ORDER BY source_key",
         10},
        {"SELECT e.time, e.ip, e.scope, e.verdict, e.reason, e.provider_code, e.observations, "
         "e.last_time, d.source_key FROM evidence e JOIN delivery d ON e.source_kind = 'log' AND "
         "e.source_id = d.id ORDER BY d.source_key, e.scope",
         9},
        {"SELECT ip, scope, opened, closed, reason, codes, evidence_count FROM episode ORDER BY "
         "ip, scope, opened",
         7},
        {"SELECT ip, scope, state, since, last_time FROM episode_state ORDER BY ip, scope", 5},
        {"SELECT node, last_result FROM node_run ORDER BY node", 2},
        {"SELECT count(*) FROM schema_migration", 1}};
    return dump_queries(db, queries);
}

} // namespace

TEST_CASE("fleet: eight nodes running at once write what they write one after another")
{
    require_postgresql();
    TempDir dir;
    const unsigned seed = std::random_device{}();
    MESSAGE("log seed " << seed);
    for (int node = 0; node < k_nodes; ++node) {
        write_node_log(dir.file("node" + std::to_string(node) + ".log"), node, seed);
    }
    const std::string sequential = test_history(dir, "sequential");
    const std::string concurrent = test_history(dir, "concurrent");
    for (int node = 0; node < k_nodes; ++node) {
        write_node_config(dir, node, sequential);
        write_node_config(dir, node, concurrent);
    }

    for (int node = 0; node < k_nodes; ++node) {
        RunResult r = run(run_args(dir, node, sequential), RunOptions{"", 120s, {}, ""});
        INFO(r.err);
        REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    }

    // All eight at once, on an empty database: they migrate it and ingest side by side.
    std::vector<std::future<RunResult>> nodes;
    for (int node = 0; node < k_nodes; ++node) {
        nodes.push_back(std::async(std::launch::async, [&dir, node, &concurrent] {
            return run(run_args(dir, node, concurrent), RunOptions{"", 120s, {}, ""});
        }));
    }
    for (auto& node : nodes) {
        const RunResult r = node.get();
        INFO(r.err);
        CHECK((r.exit_code == 0 || r.exit_code == 1));
    }

    const std::string expected = fleet_dump(sequential);
    const std::string actual = fleet_dump(concurrent);
    CHECK(expected.find("S3140") != std::string::npos);
    CHECK(expected.find("node-7|") != std::string::npos);
    CHECK(expected == actual);

    // One alert per change for the whole fleet: every episode of the end has its opened (and
    // closed) event once, whichever node saw it first (the event key is the episode's, not the
    // node's), and every event was delivered at most once over the eight nodes' outboxes. The
    // number of events may differ from the sequential run's: an episode seen half-formed by an
    // early fold (a node's evidence not yet in) is a change that was alerted when it was true.
    smtpprobe::store::Database db(concurrent, smtpprobe::store::Database::Mode::read_only);
    const DumpQuery missing[] = {
        {"SELECT count(*) FROM episode e WHERE NOT EXISTS (SELECT 1 FROM alert_event a WHERE "
         "a.event_key = 'episode_opened|' || e.ip || '|' || e.scope || '|' || e.opened)",
         1},
        {"SELECT count(*) FROM episode e WHERE e.closed IS NOT NULL AND NOT EXISTS (SELECT 1 "
         "FROM alert_event a WHERE a.event_key = 'episode_closed|' || e.ip || '|' || e.scope || "
         "'|' || e.opened || '|' || e.closed)",
         1},
        {"SELECT count(*) FROM (SELECT event_id, channel FROM alert_delivery GROUP BY event_id, "
         "channel HAVING count(*) > 1) AS twice",
         1}};
    CHECK(dump_queries(db, missing) == "0|\n--\n0|\n--\n0|\n--\n");
    const std::string delivered =
        read_file(dir.file("alerts-" + concurrent.substr(concurrent.rfind('/') + 1) + ".jsonl"));
    std::set<std::string> distinct;
    std::istringstream lines(delivered);
    for (std::string line; std::getline(lines, line);) {
        CHECK(distinct.insert(line).second); // no event sent twice
    }
}

TEST_CASE("fleet: a password in --db is refused before anything connects")
{
    TempDir dir;
    RunResult r = run_smtpprobe({"--db", "postgresql://smtpprobe:secret@127.0.0.1:1/x", "status"},
                                RunOptions{});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("password") != std::string::npos);
    CHECK(r.err.find("secret") == std::string::npos);
}

namespace {

// Runs SQL on the tests' server as its superuser, in database name.
void admin_sql(const std::string& url, const std::string& sql)
{
    PGconn* conn = PQconnectdb(url.c_str());
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok =
        PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
    INFO(PQresultErrorMessage(result));
    PQclear(result);
    PQfinish(conn);
    REQUIRE(ok);
}

std::string with_user(const std::string& url, const std::string& user)
{
    const std::size_t at = url.find('@');
    return "postgresql://" + user + url.substr(at);
}

} // namespace

TEST_CASE("fleet: a read-only role is enough for status, and run with it writes nothing")
{
    require_postgresql();
    TempDir dir;
    const std::string owner = test_history(dir, "roles");
    write_node_log(dir.file("node0.log"), 0, 1);
    RunResult first = run_smtpprobe({"--db", owner, "-q", "ingest", "log", dir.file("node0.log")},
                                    RunOptions{"", 120s, {}, ""});
    INFO(first.err);
    REQUIRE((first.exit_code == 0 || first.exit_code == 1));

    const std::string role = "reader_" + owner.substr(owner.rfind('/') + 3, 12);
    admin_sql(owner, "CREATE ROLE " + role + " LOGIN; GRANT USAGE ON SCHEMA public TO " + role +
                         "; GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role);
    const std::string reader = with_user(owner, role);

    RunResult status = run_smtpprobe({"--db", reader, "--json", "status"}, RunOptions{});
    INFO(status.err);
    CHECK((status.exit_code == 0 || status.exit_code == 1));
    CHECK(status.out.find("S3140") != std::string::npos);

    RunResult ingest =
        run_smtpprobe({"--db", reader, "-q", "ingest", "log", dir.file("node0.log")}, RunOptions{});
    CHECK(ingest.exit_code == 3);
    CHECK(ingest.err.find("permission denied") != std::string::npos);
}

TEST_CASE("fleet: TLS with sslmode=verify-full connects to the named server and refuses others")
{
    require_postgresql();
    if (!is_root()) {
        MESSAGE("SKIP: needs root to run a second PostgreSQL server as the postgres user");
        std::exit(77);
    }
    TempDir dir;
    const std::string certs = dir.file("certs");
    const std::string openssl =
        "set -e; mkdir -p " + certs + "; cd " + certs +
        "; openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key "
        "-out ca.crt -addext basicConstraints=critical,CA:TRUE 2>/dev/null"
        "; openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out "
        "server.csr 2>/dev/null"
        "; printf 'subjectAltName=DNS:localhost\\n' > ext"
        "; openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile ext -out server.crt 2>/dev/null"
        "; chmod 755 " +
        dir.path() + " " + certs + "; chown postgres server.key server.crt; chmod 600 server.key";
    REQUIRE(run({"sh", "-c", openssl}).exit_code == 0);

    const int port = free_tcp_port();
    const std::string server = dir.file("pg");
    RunResult start =
        run({"bash", SMTPPROBE_SOURCE_DIR "/tests/support/pg_server.sh", "start", server,
             std::to_string(port), "-c ssl=on", "-c ssl_cert_file=" + certs + "/server.crt",
             "-c ssl_key_file=" + certs + "/server.key"},
            RunOptions{"", 90s, {}, ""});
    INFO(start.out);
    REQUIRE(start.exit_code == 0);
    struct Stop {
        std::string dir;
        ~Stop() { run({"bash", SMTPPROBE_SOURCE_DIR "/tests/support/pg_server.sh", "stop", dir}); }
    } stop{server};

    // From now on the server takes TCP connections over TLS only: a run that works was
    // encrypted.
    write_file(server + "/data/pg_hba.conf",
               "local all all trust\nhostssl all all 127.0.0.1/32 trust\n");
    admin_sql("postgresql://smtpprobe@127.0.0.1:" + std::to_string(port) + "/postgres",
              "SELECT pg_reload_conf()");
    const std::string plain =
        "postgresql://smtpprobe@127.0.0.1:" + std::to_string(port) + "/postgres?sslmode=disable";
    RunResult unencrypted = run_smtpprobe({"--db", plain, "--json", "status"}, RunOptions{});
    CHECK(unencrypted.exit_code == 3);

    const std::string query = "?sslmode=verify-full&sslrootcert=" + certs + "/ca.crt";
    const std::string good =
        "postgresql://smtpprobe@localhost:" + std::to_string(port) + "/postgres" + query;
    write_file(dir.file("empty.log"), "");
    RunResult ok =
        run_smtpprobe({"--db", good, "-q", "ingest", "log", dir.file("empty.log")}, RunOptions{});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    RunResult status = run_smtpprobe({"--db", good, "--json", "status"}, RunOptions{});
    INFO(status.err);
    CHECK(status.exit_code == 0);

    // 127.0.0.1 is not a name the certificate holds: verify-full refuses it.
    const std::string wrong =
        "postgresql://smtpprobe@127.0.0.1:" + std::to_string(port) + "/postgres" + query;
    RunResult refused = run_smtpprobe({"--db", wrong, "--json", "status"}, RunOptions{});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("does not match host name") != std::string::npos);
    // Without a CA to check against, verify-full refuses too (never silently unverified).
    RunResult no_ca =
        run_smtpprobe({"--db",
                       "postgresql://smtpprobe@localhost:" + std::to_string(port) +
                           "/postgres?sslmode=verify-full&sslrootcert=" + dir.file("none.crt"),
                       "--json", "status"},
                      RunOptions{});
    CHECK(no_ca.exit_code == 3);
}
