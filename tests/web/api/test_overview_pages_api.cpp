// /api/overview for a fleet (issue 20), through `smtpprobe serve`: counts over every IP, one
// page of IPs with all their pairs, a state filter, the attention list cut to the most urgent
// with the full count, and parameters that do not validate answered 400.
#include "monitor/config/config.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/api_json.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

using namespace smtpprobe;
using Json = nlohmann::json;

namespace {

Json get_json(test::ServedDashboard& server, const std::string& target)
{
    return test::get_api_json(server.port(), target);
}

std::set<std::string> cell_ips(const Json& overview)
{
    std::set<std::string> out;
    for (const Json& cell : overview["cells"]) {
        out.insert(cell["ip"].get<std::string>());
    }
    return out;
}

// 130 IPs (192.0.2.0/25 and 198.51.100.0/30 ... as text, sorted as text), two scopes each;
// google blocked for the first 110 (more than the 100 attention items), yahoo clear.
void fill(store::Database& db)
{
    store::Transaction tx(db);
    store::Statement add(db, "INSERT INTO evidence(time, ip, scope, verdict, reason, source_kind, "
                             "source_id, node) VALUES (?, ?, ?, ?, ?, 'probe', ?, ?)");
    std::int64_t source = 0;
    for (int i = 0; i < 130; ++i) {
        const std::string ip =
            "198.51." + std::to_string(100 + i / 100) + "." + std::to_string(i % 100);
        const std::string node = i % 2 ? "mx1" : "mx2";
        for (int repeat = 0; repeat < 3; ++repeat) {
            char time[32];
            std::snprintf(time, sizeof time, "2026-05-01T%02d:%02d:%02dZ", 10 + i / 60, i % 60,
                          repeat);
            const bool blocked = i < 110;
            add.bind(1, std::string(time))
                .bind(2, ip)
                .bind(3, "google")
                .bind(4, blocked ? "blocked" : "clear")
                .bind(5, blocked ? "blocked" : "delivered")
                .bind(6, ++source)
                .bind(7, node)
                .run();
            add.bind(1, std::string(time))
                .bind(2, ip)
                .bind(3, "yahoo")
                .bind(4, "clear")
                .bind(5, "delivered")
                .bind(6, ++source)
                .bind(7, node)
                .run();
        }
    }
    tx.commit();
    episodes::update_episodes(db, config::Config{});
}

} // namespace

TEST_CASE("overview of a fleet: counts, pages of IPs, state filter, attention cut with its total")
{
    test::ServedDashboard server;
    {
        store::Database db(server.db_path());
        fill(db);
    }
    REQUIRE_MESSAGE(server.start(), server.log());

    const Json first = get_json(server, "/api/overview");
    CHECK(first["counts"] == Json{{"pairs", 260},
                                  {"ips", 130},
                                  {"blocked", 110},
                                  {"clear", 150},
                                  {"unknown", 0},
                                  {"blocked_ips", 110}});
    CHECK(first["page"]["offset"] == 0);
    CHECK(first["page"]["limit"] == 20); // the default page
    CHECK(first["page"]["ips"] == 130);
    CHECK(first["page"]["next_offset"] == 20);
    CHECK(first["ips"].size() == 20);
    CHECK(first["cells"].size() == 40); // every pair of the page's IPs
    CHECK(cell_ips(first).size() == 20);
    // The attention list: the 100 most urgent and newest, and how many there are in all.
    CHECK(first["attention"].size() == 100);
    CHECK(first["attention_total"] == 110);
    CHECK(first["attention"][0]["kind"] == "blocked");
    CHECK(first["attention"][0]["ip"] == "198.51.101.9"); // i = 109, the newest block

    // Walking the pages gives every IP once, in order.
    std::vector<std::string> walked;
    Json page = first;
    for (int guard = 0; guard < 20; ++guard) {
        for (const Json& ip : page["ips"]) {
            walked.push_back(ip.get<std::string>());
        }
        if (page["page"]["next_offset"].is_null()) {
            break;
        }
        page = get_json(server, "/api/overview?limit=20&offset=" +
                                    std::to_string(page["page"]["next_offset"].get<int>()));
    }
    CHECK(walked.size() == 130);
    CHECK(std::set<std::string>(walked.begin(), walked.end()).size() == 130);
    CHECK(std::is_sorted(walked.begin(), walked.end()));

    // State filter: only IPs with such a pair, and only those pairs.
    const Json clear = get_json(server, "/api/overview?state=clear&limit=1000");
    CHECK(clear["page"]["ips"] == 130);
    CHECK(clear["cells"].size() == 150);
    const Json blocked = get_json(server, "/api/overview?state=blocked&offset=100&limit=50");
    CHECK(blocked["page"]["ips"] == 110);
    CHECK(blocked["ips"].size() == 10);
    CHECK(blocked["page"]["next_offset"].is_null());
    for (const Json& cell : blocked["cells"]) {
        CHECK(cell["state"] == "blocked");
        CHECK(cell["scope"] == "google");
    }
    CHECK(get_json(server, "/api/overview?state=unknown")["cells"].empty());
    CHECK(get_json(server, "/api/overview?offset=500")["cells"].empty());

    // A node's view: its own IPs and counts.
    const Json mx1 = get_json(server, "/api/overview?node=mx1&limit=1000");
    CHECK(mx1["counts"]["ips"] == 65);
    CHECK(mx1["counts"]["blocked"] == 55);
    CHECK(mx1["cells"].size() == 130);

    for (const char* bad :
         {"/api/overview?state=listed", "/api/overview?limit=0", "/api/overview?limit=1001",
          "/api/overview?offset=-1", "/api/overview?limit=ten", "/api/overview?page=2"}) {
        CAPTURE(bad);
        CHECK(test::http_get(server.port(), bad).status == 400);
    }
}
