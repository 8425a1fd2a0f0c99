// The JSON API and /metrics over HTTP, against `smtpprobe serve` on a known history:
// every endpoint's answer, bad parameters (400 with a JSON error, never 500), unknown paths
// (404), methods (405), HEAD, and the security headers.
#include "tests/support/dashboard_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe::test;
using Json = nlohmann::json;

namespace {

struct Served {
    Served()
    {
        data = fill_dashboard_fixture(server.db_path());
        REQUIRE_MESSAGE(server.start(), server.log());
    }
    Json get_json(const std::string& target, int expected = 200)
    {
        auto reply = http_get(server.port(), target);
        CAPTURE(target);
        CAPTURE(reply.body);
        CAPTURE(reply.error);
        CHECK(reply.status == expected);
        CHECK(reply.headers["content-type"] == "application/json");
        Json parsed = Json::parse(reply.body, nullptr, false);
        REQUIRE(!parsed.is_discarded());
        return parsed;
    }
    ServedDashboard server;
    DashboardFixture data;
};

} // namespace

TEST_CASE("status, overview and timeline endpoints answer with the stored story")
{
    Served s;
    Json status = s.get_json("/api/status");
    CHECK(status["open_episodes"] == 1);
    CHECK(status["oldest_open_episode"] == "2026-03-11T20:18:23Z");
    CHECK(status["last_probe"]["id"] == s.data.hostile_probe_id);
    CHECK(status["schema_version"].get<int>() >= 7);

    Json overview = s.get_json("/api/overview");
    CHECK(overview["ips"] == Json::array({k_fixture_ip}));
    std::map<std::string, Json> cells;
    for (const auto& cell : overview["cells"]) {
        cells[cell["scope"].get<std::string>()] = cell;
    }
    CHECK(cells[k_fixture_eur]["state"] == "blocked");
    CHECK(cells[k_fixture_eur]["since"] == "2026-03-11T20:18:23Z");
    CHECK(cells[k_fixture_eur]["provider_code"] == "S3140");
    CHECK(cells[k_fixture_na]["state"] == "clear");
    CHECK(cells[k_fixture_na]["since"] == "2026-03-12T09:00:00Z");
    CHECK(cells[k_fixture_m365]["state"] == "clear");

    Json all = s.get_json("/api/episodes");
    CHECK(all["episodes"].size() == 3);
    Json eur = s.get_json("/api/episodes?scope=microsoft-consumer%2Feur&ip=192.0.2.25");
    REQUIRE(eur["episodes"].size() == 1);
    CHECK(eur["episodes"][0]["closed"].is_null());
    CHECK(eur["episodes"][0]["codes"] == Json::array({"S3140"}));
    // A window before the NA and EUR episodes holds only the M365 one.
    Json early = s.get_json("/api/episodes?from=2026-03-09&to=2026-03-11T12:00Z");
    REQUIRE(early["episodes"].size() == 1);
    CHECK(early["episodes"][0]["scope"] == k_fixture_m365);
    CHECK(s.get_json("/api/episodes?limit=2")["truncated"] == true);

    Json timeline = s.get_json("/api/timeline?ip=192.0.2.25&from=2026-03-01&to=2026-04-01");
    CHECK(timeline["episodes"].size() == 3);
    CHECK(timeline["evidence"].size() == 6);
    CHECK(timeline["notes"].size() == 1);
    CHECK(timeline["evidence"][0]["time"] <= timeline["evidence"][5]["time"]);
    Json lane = s.get_json("/api/timeline?scope=microsoft-consumer/na");
    CHECK(lane["evidence"].size() == 2);
    CHECK(lane["episodes"].size() == 1);

    Json notes = s.get_json("/api/notes?scope=microsoft-consumer/eur");
    REQUIRE(notes["notes"].size() == 1);
    CHECK(notes["notes"][0]["text"] == "delist requested, ticket 123 <b>not bold</b>");
}

TEST_CASE("evidence pages by id, probes carry their transcript, dnsbl and ingest stats")
{
    Served s;
    Json first = s.get_json("/api/evidence?limit=4");
    REQUIRE(first["evidence"].size() == 4);
    CHECK(first["evidence"][0]["id"] == 6);
    CHECK(first["next_before"] == 3);
    Json second = s.get_json("/api/evidence?limit=4&before=3");
    REQUIRE(second["evidence"].size() == 2);
    CHECK(second["evidence"][0]["id"] == 2);
    Json back = s.get_json("/api/evidence?limit=2&after=2");
    REQUIRE(back["evidence"].size() == 2);
    CHECK(back["evidence"][0]["id"] == 4); // newest first within the page
    CHECK(back["evidence"][1]["id"] == 3);
    Json blocked = s.get_json("/api/evidence?verdict=blocked&kind=log");
    CHECK(blocked["evidence"].size() == 2);
    // Each row carries the receiver's own words from its source.
    Json m365 = s.get_json("/api/evidence?scope=microsoft-365/example-com&verdict=blocked");
    REQUIRE(m365["evidence"].size() == 1);
    CHECK(m365["evidence"][0]["source"]["status"] == "5.7.606");
    CHECK(m365["evidence"][0]["source"]["text"].get<std::string>().find("banned sending IP") !=
          std::string::npos);

    Json probes = s.get_json("/api/probes");
    CHECK(probes["probes"].size() == 3);
    Json probe = s.get_json("/api/probes/" + std::to_string(s.data.hostile_probe_id));
    CHECK(probe["banner"] == k_hostile_banner);
    CHECK(probe["steps"].size() == 5);
    std::vector<std::string> lines = probe["transcript"];
    auto has = [&](const std::string& line) {
        return std::find(lines.begin(), lines.end(), line) != lines.end();
    };
    CHECK(has(">>> EHLO mail.example.org"));
    CHECK(has("<<< 250-DSN"));
    CHECK(has("<<< 250 STARTTLS"));
    CHECK(has(std::string("<<< 220 ") + k_hostile_banner));
    CHECK(has(">>> RCPT TO:<postmaster@outlook.com>"));

    Json dnsbl = s.get_json("/api/dnsbl?ip=192.0.2.25");
    CHECK(dnsbl["latest"].size() == 2);
    REQUIRE(dnsbl["listings"].size() == 1);
    CHECK(dnsbl["listings"][0]["zone"] == "zen.spamhaus.org");
    CHECK(dnsbl["listings"][0]["codes"] == Json::array({"127.0.0.3"}));

    Json ingest = s.get_json("/api/ingest");
    CHECK(ingest["deliveries"]["sendmail"] == 3);
    CHECK(ingest["evidence"]["probe"] == 3);
    CHECK(ingest["evidence"]["log"] == 3);
    Json hygiene = s.get_json("/api/hygiene");
    CHECK(hygiene["available"] == true);
    REQUIRE(hygiene["checks"].size() == 4);
    CHECK(hygiene["checks"][0]["result"] == "pass");     // FCrDNS
    CHECK(hygiene["checks"][1]["result"] == "fail");     // HELO is not a PTR name
    CHECK(hygiene["checks"][2]["result"] == "softfail"); // SPF
    CHECK(hygiene["checks"][2]["detail"] == "~all matched <script>");
    CHECK(hygiene["checks"][3]["detail"] == "p=reject");
}

TEST_CASE("bad parameters are a clear 400, unknown things 404, other methods 405")
{
    Served s;
    const char* bad[] = {
        "/api/episodes?ip=not-an-ip",
        "/api/episodes?from=yesterday",
        "/api/episodes?from=2026-03-12&to=2026-03-11",
        "/api/episodes?scope=",
        "/api/episodes?scope=a%00b",
        "/api/timeline?from=2026-02-31",
        "/api/episodes?limit=0",
        "/api/timeline?limit=999999999",
        "/api/timeline?to=2026-02-30T99:00Z",
        "/api/evidence?limit=abc",
        "/api/evidence?limit=100000",
        "/api/evidence?before=-1",
        "/api/evidence?before=5&after=2",
        "/api/evidence?verdict=maybe",
        "/api/evidence?kind=%00",
        "/api/evidence?ip=1&ip=2",
        "/api/evidence?bogus=1",
        "/api/status?x=1",
        "/api/probes?limit=-3",
        "/api/probes/abc",
        "/api/probes/0",
        "/api/probes/1?extra=1",
        "/api/dnsbl?zone=a%00b",
        "/metrics?x=1",
        "/api/notes?from=%zz",
        "/api/ingest?limit=5",
        "/api/overview?q=1",
    };
    // Markup in a scope is a scope like any other (a host name as a peer wrote it): asked for,
    // answered, never interpreted.
    CHECK(s.get_json("/api/episodes?scope=%3Cscript%3E", 200)["episodes"].empty());
    for (const char* target : bad) {
        Json error = s.get_json(target, 400);
        CHECK(error["error"].is_string());
        CHECK(!error["error"].get<std::string>().empty());
    }
    const char* missing[] = {"/api/nope",
                             "/api/probes/999999",
                             "/../../etc/passwd",
                             "/%2e%2e/%2e%2e/etc/passwd",
                             "/..%2fCMakeLists.txt",
                             "/index.html/",
                             "/assets/app.js",
                             "/api",
                             "/metrics/x"};
    for (const char* target : missing) {
        auto reply = http_get(s.server.port(), target);
        CAPTURE(target);
        CHECK(reply.status == 404);
    }
    for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
        auto reply = http_request(s.server.port(), method, "/api/status");
        CAPTURE(method);
        CHECK(reply.status == 405);
        CHECK(reply.headers["allow"] == "GET, HEAD");
    }
    auto head = http_request(s.server.port(), "HEAD", "/api/status");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
}

TEST_CASE("pages and API carry the security headers, assets come from the binary")
{
    Served s;
    for (const char* target : {"/", "/timeline.html", "/app.js", "/api/status", "/metrics"}) {
        auto reply = http_get(s.server.port(), target);
        CAPTURE(target);
        CHECK(reply.status == 200);
        CHECK(reply.headers["content-security-policy"].find("script-src 'self'") !=
              std::string::npos);
        CHECK(reply.headers["content-security-policy"].find("unsafe-inline") == std::string::npos);
        CHECK(reply.headers["x-content-type-options"] == "nosniff");
    }
    auto page = http_get(s.server.port(), "/");
    CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
    CHECK(page.body.find("<script>") == std::string::npos); // no inline script
    auto metrics = http_get(s.server.port(), "/metrics");
    CHECK(metrics.headers["content-type"].find("text/plain; version=0.0.4") == 0);
    CHECK(metrics.body.find(
              "smtpprobe_blocked{ip=\"192.0.2.25\",scope=\"microsoft-consumer/eur\"} 1") !=
          std::string::npos);
}
