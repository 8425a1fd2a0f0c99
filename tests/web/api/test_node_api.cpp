// The dashboard API on a fleet (issue 20), through `smtpprobe serve`: ?node= keeps what that
// node observed (an unknown node: empty answers, not an error), evidence rows name their node,
// and a node whose `run` stopped is an attention item.
#include "monitor/config/config.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/node_rows.hpp"
#include "tests/support/api_json.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

using namespace smtpprobe;
using Json = nlohmann::json;

namespace {

Json get_json(test::ServedDashboard& server, const std::string& target)
{
    return test::get_api_json(server.port(), target);
}

std::set<std::string> cell_scopes(const Json& overview)
{
    std::set<std::string> out;
    for (const Json& cell : overview["cells"]) {
        out.insert(cell["scope"].get<std::string>());
    }
    return out;
}

std::vector<std::string> silent_titles(const Json& overview)
{
    std::vector<std::string> out;
    for (const Json& item : overview["attention"]) {
        if (item["kind"] == "node-silent") {
            out.push_back(item["title"].get<std::string>());
        }
    }
    return out;
}

} // namespace

TEST_CASE("node filter of the dashboard API: overview, evidence and silent nodes")
{
    test::ServedDashboard server;
    {
        store::Database db(server.db_path());
        db.exec("INSERT INTO evidence(time, ip, scope, verdict, reason, source_kind, source_id, "
                "node) VALUES "
                "('2026-05-01T15:00:00Z', '192.0.2.1', 'google', 'clear', 'delivered', 'log', 1, "
                "'mx1'), "
                "('2026-05-01T15:01:00Z', '192.0.2.2', 'yahoo', 'clear', 'delivered', 'log', 2, "
                "'mx2'), "
                "('2026-05-01T15:02:00Z', '192.0.2.3', 'aol', 'clear', 'delivered', 'log', 3, "
                "NULL)");
        episodes::update_episodes(db, config::Config{});
        // mx1's last tick is long past (silent); mx2 ticks far in the future (not silent).
        store::record_node_run(
            db, {"mx1", "2026-05-01T15:00:00Z", "2026-05-01T15:00:10Z", "", "ok", 900});
        store::record_node_run(
            db, {"mx2", "2099-01-01T00:00:00Z", "2099-01-01T00:00:10Z", "", "ok", 900});
    }
    REQUIRE_MESSAGE(server.start(), server.log());

    const Json all = get_json(server, "/api/overview");
    CHECK(cell_scopes(all) == std::set<std::string>{"aol", "google", "yahoo"});
    CHECK(silent_titles(all) ==
          std::vector<std::string>{"node mx1 silent since 2026-05-01T15:00:10Z"});
    const Json one = get_json(server, "/api/overview?node=mx1");
    CHECK(cell_scopes(one) == std::set<std::string>{"google"});
    CHECK(silent_titles(one).size() == 1);
    const Json two = get_json(server, "/api/overview?node=mx2");
    CHECK(cell_scopes(two) == std::set<std::string>{"yahoo"});
    CHECK(silent_titles(two).empty());
    const Json none = get_json(server, "/api/overview?node=no-such-node");
    CHECK(none["cells"].empty());

    const Json evidence = get_json(server, "/api/evidence?node=mx2");
    REQUIRE(evidence["evidence"].size() == 1);
    CHECK(evidence["evidence"][0]["scope"] == "yahoo");
    CHECK(evidence["evidence"][0]["node"] == "mx2");
    const Json every = get_json(server, "/api/evidence");
    CHECK(every["evidence"].size() == 3);
    CHECK(get_json(server, "/api/evidence?node=nobody")["evidence"].empty());
    const Json timeline = get_json(server, "/api/timeline?node=mx1");
    REQUIRE(timeline["evidence"].size() == 1);
    CHECK(timeline["evidence"][0]["scope"] == "google");
    CHECK(test::http_get(server.port(), "/api/overview?node=").status == 400); // 1-253 bytes
}
