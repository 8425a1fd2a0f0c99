// `smtpprobe status` on a fleet (issue 20): --node keeps what that node observed (an unknown
// node shows nothing, exit 0), and a node whose `run` stopped is a finding ("node X silent
// since T") that goes away with its next tick.
#include "monitor/config/config_loader.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/status/silent_nodes.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/node_rows.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace smtpprobe;

namespace {

struct Fleet {
    test::TempDir dir;
    std::vector<std::string> base;

    Fleet()
    {
        test::write_file(dir.file("c.toml"), "[[identity]]\nip = \"192.0.2.10\"\n");
        base = {"--config", dir.file("c.toml"), "--db", dir.file("h.db")};
        store::Database db(dir.file("h.db"));
        db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                "source_kind, source_id, node) VALUES "
                "('2026-05-01T15:10:28Z', '', 'microsoft-consumer/eur', 'blocked', 'blocked', "
                "'S3140', 'log', 1, 'mx1'), "
                "('2026-05-01T16:00:00Z', '', 'google', 'clear', 'delivered', '', 'log', 2, "
                "'mx2'), "
                "('2026-05-01T16:00:00Z', '', 'yahoo', 'clear', 'delivered', '', 'log', 3, NULL)");
        episodes::update_episodes(db, config::load_config(dir.file("c.toml")));
    }

    test::RunResult status(std::vector<std::string> args, const std::string& now = {}) const
    {
        std::vector<std::string> all = base;
        all.push_back("status");
        all.insert(all.end(), args.begin(), args.end());
        test::RunOptions options;
        if (!now.empty()) {
            options.env["SMTPPROBE_NOW"] = now;
        }
        return test::run_smtpprobe(all, options);
    }

    std::set<std::string> scopes(const std::string& node, int expected_exit) const
    {
        std::vector<std::string> args = {"--json", "--all"};
        if (!node.empty()) {
            args.insert(args.end(), {"--node", node});
        }
        const test::RunResult run = status(args);
        CHECK(run.exit_code == expected_exit);
        std::set<std::string> out;
        const nlohmann::json doc = nlohmann::json::parse(run.out);
        for (const auto& s : doc["scopes"]) {
            out.insert(s["scope"].get<std::string>());
        }
        return out;
    }
};

} // namespace

TEST_CASE("status --node shows only the receivers that node observed")
{
    Fleet fleet;
    CHECK(fleet.scopes("", 1) ==
          std::set<std::string>{"google", "microsoft-consumer/eur", "yahoo"});
    CHECK(fleet.scopes("mx1", 1) == std::set<std::string>{"microsoft-consumer/eur"});
    CHECK(fleet.scopes("mx2", 0) == std::set<std::string>{"google"}); // mx1's block is not mx2's
    CHECK(fleet.scopes("no-such-node", 0).empty());                   // empty, not an error
    const test::RunResult unknown = fleet.status({"--node", "no-such-node"});
    CHECK(unknown.exit_code == 0);
    CHECK(unknown.out.find("Nothing observed by node no-such-node") != std::string::npos);
    const test::RunResult table = fleet.status({"--node", "mx2", "--all"});
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("google") != std::string::npos);
    CHECK(table.out.find("microsoft-consumer/eur") == std::string::npos);
}

TEST_CASE("status: a silent node is a finding until its next tick")
{
    Fleet fleet;
    {
        store::Database db(fleet.dir.file("h.db"));
        store::record_node_run(
            db, {"mx1", "2026-05-02T10:00:00Z", "2026-05-02T10:00:30Z", "", "ok", 900});
        store::record_node_run(
            db, {"mx2", "2026-05-02T10:20:00Z", "2026-05-02T10:20:30Z", "", "ok", 3600});
    }
    // 10:30: mx1 has missed one tick only (2 x 15 min + 5 min are not over yet).
    auto early = fleet.status({"--json"}, "2026-05-02T10:30:00Z");
    CHECK(nlohmann::json::parse(early.out)["silent_nodes"].empty());
    // 11:06: mx1's last tick ended 35 min 30 s ago: silent. mx2 ticks hourly: not silent.
    const std::string late = "2026-05-02T11:06:00Z";
    auto doc_run = fleet.status({"--json"}, late);
    CHECK(doc_run.exit_code == 1); // as before: the exit code is the blocks'
    const auto doc = nlohmann::json::parse(doc_run.out);
    REQUIRE(doc["silent_nodes"].size() == 1);
    CHECK(doc["silent_nodes"][0]["node"] == "mx1");
    CHECK(doc["silent_nodes"][0]["since"] == "2026-05-02T10:00:30Z");
    CHECK(doc["silent_nodes"][0]["interval_seconds"] == 900);
    CHECK(doc["silent_nodes"][0]["title"] == "node mx1 silent since 2026-05-02T10:00:30Z");
    auto text = fleet.status({}, late);
    CHECK(text.out.find("node mx1 silent since 2026-05-02T10:00:30Z") != std::string::npos);
    auto quiet = fleet.status({"-q"}, late);
    CHECK(quiet.out.find("node mx1 silent since") != std::string::npos);
    // Filtered to the other node: not its silence.
    auto other = fleet.status({"--json", "--node", "mx2"}, late);
    CHECK(nlohmann::json::parse(other.out)["silent_nodes"].empty());
    // mx1 ticks again: the finding is gone.
    {
        store::Database db(fleet.dir.file("h.db"));
        store::record_node_run(
            db, {"mx1", "2026-05-02T11:05:00Z", "2026-05-02T11:05:20Z", "", "ok", 900});
    }
    auto again = fleet.status({}, late);
    CHECK(again.out.find("silent since") == std::string::npos);
    CHECK(nlohmann::json::parse(fleet.status({"--json"}, late).out)["silent_nodes"].empty());
}

TEST_CASE("node silent: more than twice the node's own interval plus the slack")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    store::record_node_run(db,
                           {"mx1", "2026-05-02T10:00:00Z", "2026-05-02T10:00:00Z", "", "ok", 600});
    const auto finished = *monitor::parse_iso_utc("2026-05-02T10:00:00Z");
    const auto limit = finished + std::chrono::seconds(2 * 600) + monitor::k_node_silent_slack;
    CHECK(monitor::silent_nodes(db, limit).empty());
    const auto silent = monitor::silent_nodes(db, limit + std::chrono::seconds(1));
    REQUIRE(silent.size() == 1);
    CHECK(silent[0].node == "mx1");
    CHECK(monitor::silent_nodes(db, limit + std::chrono::seconds(1), "mx2").empty());
    CHECK(monitor::silent_node_title(silent[0]) == "node mx1 silent since 2026-05-02T10:00:00Z");
}
