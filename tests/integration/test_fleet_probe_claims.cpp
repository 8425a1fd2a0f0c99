// A fleet of probes on one history (issue 20) against one real Postfix on loopback: several
// `smtpprobe probe` processes, each a node of its own ([run] node, its own source IP), start at
// once; Postfix sees exactly the sessions the receiver's fleet_min_interval and
// fleet_concurrency allow, the others are skipped and say which node probed from which IP;
// `run` of another node waits alike; a person's --ignore-min-interval probes anyway.
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"
#include "tests/support/test_history.hpp"

#include <doctest/doctest.h>
#include <sstream>
#include <thread>

using namespace smtpprobe;
using namespace smtpprobe::test;

namespace {

constexpr int k_nodes = 4;

std::string node_ip(int node)
{
    return "127.0.0.1" + std::to_string(node); // 127.0.0.11 ...: loopback, bindable as is
}

// Node `node`'s config: its name and identity, the one shared receiver.
void write_node_config(const TempDir& dir, int node, int port, const std::string& fleet)
{
    write_file(dir.file("node" + std::to_string(node) + ".toml"),
               "[run]\nnode = \"node" + std::to_string(node) + "\"\n" +
                   "[[identity]]\nname = \"main\"\nip = \"" + node_ip(node) +
                   "\"\nhelo = \"probe.sender.test\"\nmail_from = \"probe@sender.test\"\n"
                   "[probes]\ndefault_receivers = false\ntimeout = 30\nstarttls = false\n"
                   "[dnsbl]\ndefault_zones = false\n[hygiene]\nenabled = false\n"
                   "[[receiver]]\nname = \"lab\"\nmx = \"127.0.0.1:" +
                   std::to_string(port) +
                   "\"\nrecipient = \"user@rcv.test\"\ninterval = \"1h\"\n"
                   "min_interval = \"10m\"\n" +
                   fleet);
}

RunResult node_cli(const TempDir& dir, int node, std::vector<std::string> args)
{
    std::vector<std::string> full = {"--config", dir.file("node" + std::to_string(node) + ".toml"),
                                     "--db", test_history(dir, "history.db")};
    full.insert(full.end(), args.begin(), args.end());
    RunOptions options;
    options.timeout = std::chrono::seconds(60);
    return run_smtpprobe(full, options);
}

// `probe` by every node, node i started i * stagger after the first; the results by node.
std::vector<RunResult> probe_from_every_node(const TempDir& dir, std::chrono::milliseconds stagger)
{
    std::vector<RunResult> results(k_nodes + 1);
    std::vector<std::thread> threads;
    for (int node = 1; node <= k_nodes; ++node) {
        threads.emplace_back([&dir, &results, node, stagger] {
            std::this_thread::sleep_for(stagger * (node - 1));
            // --helo: no PTR lookup, so every node reaches its claim as soon as it can.
            results[node] = node_cli(dir, node, {"probe", "--helo", "probe.sender.test"});
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    return results;
}

// smtpd's lines of an event ("connect from", "disconnect from") for a client at one of the
// nodes' IPs ("postfix/smtpd[N]: connect from unknown[127.0.0.11]"), not the instance's own
// readiness check from 127.0.0.1.
std::size_t node_lines(const PostfixInstance& postfix, const std::string& event)
{
    std::istringstream log(postfix.log_text());
    std::size_t count = 0;
    for (std::string line; std::getline(log, line);) {
        if (line.find(": " + event + " ") == std::string::npos) {
            continue;
        }
        for (int node = 1; node <= k_nodes; ++node) {
            if (line.find("[" + node_ip(node) + "]") != std::string::npos) {
                ++count;
            }
        }
    }
    return count;
}

// Sessions the nodes opened at the receiver.
std::size_t sessions(const PostfixInstance& postfix)
{
    return node_lines(postfix, "connect from");
}

// Waits (bounded) until count node sessions have ended at the receiver.
bool wait_for_ended(const PostfixInstance& postfix, std::size_t count,
                    std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (node_lines(postfix, "disconnect from") < count) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

std::int64_t count_rows(const TempDir& dir, const char* sql)
{
    store::Database db(test_history(dir, "history.db"));
    store::Statement st(db, sql);
    REQUIRE(st.step());
    return st.column_int(0);
}

// The history exists before the nodes start (as a fleet's shared database does).
void create_history(const TempDir& dir)
{
    store::Database db(test_history(dir, "history.db"));
}

} // namespace

TEST_CASE("four nodes at once probe a receiver once per fleet interval, the others say who did")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("Postfix needs root");
    }
    PostfixConfig pc;
    pc.domain = "rcv.test";
    pc.hostname = "mx.rcv.test";
    PostfixInstance postfix(pc);
    postfix.start();
    TempDir dir;
    for (int node = 1; node <= k_nodes; ++node) {
        write_node_config(dir, node, postfix.port(),
                          "fleet_min_interval = \"10m\"\nfleet_concurrency = 2\n");
    }
    create_history(dir);

    const std::vector<RunResult> results = probe_from_every_node(dir, std::chrono::milliseconds(0));
    int winner = 0;
    for (int node = 1; node <= k_nodes; ++node) {
        CAPTURE(node);
        CAPTURE(results[node].out);
        CAPTURE(results[node].err);
        REQUIRE_FALSE(results[node].timed_out);
        if (results[node].out.find("not probed") == std::string::npos) {
            CHECK(winner == 0);
            winner = node;
        }
    }
    REQUIRE(winner != 0);
    const std::string why = "not probed: receiver lab was probed by node node" +
                            std::to_string(winner) + " from IP " + node_ip(winner);
    for (int node = 1; node <= k_nodes; ++node) {
        if (node == winner) {
            continue;
        }
        CAPTURE(results[node].out);
        CHECK(results[node].exit_code == 3); // not run: could not complete
        CHECK(results[node].out.find(why) != std::string::npos);
        CHECK(results[node].out.find("fleet minimum interval 10 min") != std::string::npos);
    }
    REQUIRE(wait_for_ended(postfix, 1, std::chrono::seconds(20)));
    CAPTURE(postfix.log_text());
    CHECK(sessions(postfix) == 1);
    CHECK(count_rows(dir, "SELECT count(*) FROM probe_run") == 1);
    CHECK(count_rows(dir, "SELECT count(*) FROM fleet_probe_lease") == 0); // released

    // Another node's cron tick waits too: not a failure, nothing connects.
    const int other = winner % k_nodes + 1;
    RunResult tick = node_cli(dir, other, {"run", "--now"});
    CAPTURE(tick.out);
    CAPTURE(tick.err);
    CHECK(tick.out.find("1 waiting") != std::string::npos);
    CHECK(sessions(postfix) == 1);

    // A person's override probes at once, and the fleet counts from it.
    RunResult forced =
        node_cli(dir, other, {"probe", "--helo", "probe.sender.test", "--ignore-min-interval"});
    CAPTURE(forced.out);
    CHECK(forced.out.find("not probed") == std::string::npos);
    CHECK(wait_for_ended(postfix, 2, std::chrono::seconds(20)));
    CHECK(sessions(postfix) == 2);
    const int third = other % k_nodes + 1;
    RunResult late = node_cli(dir, third, {"probe", "--helo", "probe.sender.test"});
    CAPTURE(late.out);
    CHECK(late.out.find("by node node" + std::to_string(other) + " from IP " + node_ip(other)) !=
          std::string::npos);
    CHECK(sessions(postfix) == 2);
}

TEST_CASE("at most fleet_concurrency sessions to a receiver are open across the fleet")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("Postfix needs root");
    }
    PostfixConfig pc;
    pc.domain = "rcv.test";
    pc.hostname = "mx.rcv.test";
    // A slow receiver: every session pauses 8 s at RCPT, so sessions overlap.
    pc.main_cf = {"smtpd_client_restrictions = sleep 8"};
    PostfixInstance postfix(pc);
    postfix.start();
    TempDir dir;
    for (int node = 1; node <= k_nodes; ++node) {
        write_node_config(dir, node, postfix.port(),
                          "fleet_min_interval = 1\nfleet_concurrency = 2\n");
    }
    create_history(dir);

    // 1.5 s apart: past the 1 s fleet spacing, well within the first sessions' 8 s.
    const std::vector<RunResult> results =
        probe_from_every_node(dir, std::chrono::milliseconds(1500));
    int probed = 0;
    for (int node = 1; node <= k_nodes; ++node) {
        CAPTURE(node);
        CAPTURE(results[node].out);
        CAPTURE(results[node].err);
        REQUIRE_FALSE(results[node].timed_out);
        if (results[node].out.find("not probed") == std::string::npos) {
            ++probed;
            CHECK(node <= 2); // the first two claimed the slots
        } else {
            CHECK(results[node].out.find("has 2 sessions open across the fleet (node node1 from "
                                         "IP 127.0.0.11 since ") != std::string::npos);
            CHECK(results[node].out.find("node node2 from IP 127.0.0.12 since ") !=
                  std::string::npos);
            CHECK(results[node].out.find("fleet concurrency 2") != std::string::npos);
        }
    }
    CHECK(probed == 2);
    CHECK(wait_for_ended(postfix, 2, std::chrono::seconds(30)));
    CAPTURE(postfix.log_text());
    CHECK(sessions(postfix) == 2);
    CHECK(count_rows(dir, "SELECT count(*) FROM probe_run") == 2);
    CHECK(count_rows(dir, "SELECT count(*) FROM fleet_probe_lease") == 0);

    // With the sessions over, a node finds a free slot again.
    RunResult after = node_cli(dir, 3, {"probe", "--helo", "probe.sender.test"});
    CAPTURE(after.out);
    CHECK(after.out.find("not probed") == std::string::npos);
    CHECK(wait_for_ended(postfix, 3, std::chrono::seconds(30)));
    CHECK(sessions(postfix) == 3);
}
