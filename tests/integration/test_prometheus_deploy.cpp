// deploy/ for a fleet (issue 20) against the real tools: promtool checks the shipped rules and
// runs their unit tests (tests/deploy/prometheus), amtool the Alertmanager example, promtool
// the live /metrics of a `serve` over a filled history, the Grafana dashboard queries only
// series serve exports or the shipped rules record, and a real Prometheus scraping serve fires
// SmtpprobeIpBlocked within one evaluation interval of a block appearing in the database.
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/fleet_history.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/prometheus_server.hpp"
#include "tests/support/served_dashboard.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

using namespace smtpprobe;
using namespace smtpprobe::test;
using nlohmann::json;

namespace {

const std::string k_source = SMTPPROBE_SOURCE_DIR;
const std::string k_recording = k_source + "/deploy/prometheus/smtpprobe-recording.yml";
const std::string k_alerts = k_source + "/deploy/prometheus/smtpprobe-alerts.yml";
const std::string k_rule_tests = k_source + "/tests/deploy/prometheus/smtpprobe-rules.test.yml";

void require_tool(const char* tool, const char* package)
{
    if (run({"sh", "-c", std::string("command -v ") + tool}).exit_code != 0) {
        SMTPPROBE_SKIP(tool << " not installed (scripts/install-test-peers.sh installs " << package
                            << ")");
    }
}

// Every name the rules and the dashboard use must exist: a raw series in serve's families, a
// recorded one in the recording rules.
// must_name: the query is about smtpprobe (a panel, a rule other than `up`).
void check_names(const std::string& where, const std::string& promql,
                 const std::set<std::string>& exported, const std::set<std::string>& recorded,
                 bool must_name = true)
{
    const NameUse names = metric_names(promql);
    CAPTURE(where);
    CAPTURE(promql);
    CHECK((!must_name || !names.raw.empty() || !names.recorded.empty()));
    for (const std::string& name : names.raw) {
        CAPTURE(name);
        CHECK(exported.count(name) == 1);
    }
    for (const std::string& name : names.recorded) {
        CAPTURE(name);
        CHECK(recorded.count(name) == 1);
    }
}

} // namespace

TEST_CASE("promtool accepts the shipped rules and their unit tests cover every alert")
{
    require_tool("promtool", "prometheus");
    RunResult check = run({"promtool", "check", "rules", k_recording, k_alerts});
    CAPTURE(check.out);
    CAPTURE(check.err);
    CHECK(check.exit_code == 0);
    RunResult config = run(
        {"promtool", "check", "config", k_source + "/deploy/prometheus/prometheus.example.yml"});
    CAPTURE(config.out);
    CAPTURE(config.err);
    CHECK(config.exit_code == 0);

    RunResult unit = run({"promtool", "test", "rules", k_rule_tests});
    CAPTURE(unit.out);
    CAPTURE(unit.err);
    CHECK(unit.exit_code == 0);
    CHECK(unit.out.find("SUCCESS") != std::string::npos);

    // Every alert has a test case that expects it to fire (and the file names no other).
    const std::vector<std::string> alerts = yaml_list_values(read_file(k_alerts), "alert");
    const std::set<std::string> tested = alerts_expected_firing(read_file(k_rule_tests));
    CHECK(alerts.size() >= 10);
    for (const std::string& alert : alerts) {
        CAPTURE(alert);
        CHECK(tested.count(alert) == 1);
    }
    CHECK(tested.size() == alerts.size());
}

TEST_CASE("promtool's unit tests fail when an alert reports one block once per serve instance")
{
    // The tests must be able to fail: without the max over instances the block alert would
    // come twice (and with the instance label) when two serve instances share a database.
    require_tool("promtool", "prometheus");
    TempDir dir;
    std::string alerts = read_file(k_alerts);
    const std::string per_fact = "max by (ip, scope) (smtpprobe_blocked) == 1";
    REQUIRE(alerts.find(per_fact) != std::string::npos);
    alerts.replace(alerts.find(per_fact), per_fact.size(), "smtpprobe_blocked == 1");
    write_file(dir.file("alerts.yml"), alerts);
    write_file(dir.file("recording.yml"), read_file(k_recording));
    std::string tests = read_file(k_rule_tests);
    for (auto [from, to] :
         {std::pair{"../../../deploy/prometheus/smtpprobe-recording.yml", "recording.yml"},
          std::pair{"../../../deploy/prometheus/smtpprobe-alerts.yml", "alerts.yml"}}) {
        REQUIRE(tests.find(from) != std::string::npos);
        tests.replace(tests.find(from), std::string(from).size(), to);
    }
    write_file(dir.file("rules.test.yml"), tests);
    RunResult unit = run({"promtool", "test", "rules", dir.file("rules.test.yml")});
    CAPTURE(unit.out);
    CHECK(unit.exit_code != 0);
    CHECK((unit.out + unit.err).find("alertname: SmtpprobeIpBlocked") != std::string::npos);
}

TEST_CASE("amtool accepts the Alertmanager example and routes a block to the pager")
{
    require_tool("amtool", "prometheus-alertmanager");
    const std::string file = k_source + "/deploy/alertmanager/alertmanager.example.yml";
    RunResult check = run({"amtool", "check-config", file});
    CAPTURE(check.out);
    CAPTURE(check.err);
    CHECK(check.exit_code == 0);
    auto route = [&](std::vector<std::string> labels) {
        std::vector<std::string> argv{"amtool", "config", "routes", "test",
                                      "--config.file=" + file};
        argv.insert(argv.end(), labels.begin(), labels.end());
        RunResult r = run(argv);
        CAPTURE(r.err);
        CHECK(r.exit_code == 0);
        return r.out;
    };
    const std::string block = route({"alertname=SmtpprobeIpBlocked", "severity=critical",
                                     "ip=192.0.2.10", "scope=microsoft-consumer/eur"});
    CHECK(block.find("oncall-pager") != std::string::npos);
    CHECK(block.find("postmaster-mail") != std::string::npos);
    const std::string silent = route({"alertname=SmtpprobeNodeSilent", "severity=warning"});
    CHECK(silent.find("postmaster-mail") != std::string::npos);
    CHECK(silent.find("oncall-pager") == std::string::npos);
}

TEST_CASE("promtool check metrics passes on the live /metrics of serve over a filled history")
{
    require_tool("promtool", "prometheus");
    ServedDashboard served;
    fill_fleet_history(served);
    REQUIRE_MESSAGE(served.start(), served.log());
    const HttpResult scrape = http_get(served.port(), "/metrics");
    REQUIRE(scrape.status == 200);
    CHECK(scrape.headers.at("content-type").find("text/plain; version=0.0.4") == 0);
    const std::string& text = scrape.body;
    CAPTURE(text);
    // The fleet's series, with the node label: mx1's ticks succeed, mx2's fail a part.
    CHECK(text.find("smtpprobe_run_last_ok{node=\"mx1\"} 1\n") != std::string::npos);
    CHECK(text.find("smtpprobe_run_last_ok{node=\"mx2\"} 0\n") != std::string::npos);
    CHECK(text.find("smtpprobe_run_last_success_timestamp_seconds{node=\"mx1\"} ") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_run_last_success_timestamp_seconds{node=\"mx2\"}") ==
          std::string::npos);
    CHECK(text.find("smtpprobe_run_last_completion_timestamp_seconds{node=\"mx2\"} ") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_run_interval_seconds{node=\"mx1\"} 900\n") != std::string::npos);
    CHECK(text.find("smtpprobe_run_interval_seconds{node=\"mx2\"} 300\n") != std::string::npos);
    CHECK(text.find("smtpprobe_evidence_verdict_observations{verdict=\"blocked\",") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_finding_last_timestamp_seconds{kind=\"backscatter\"} ") !=
          std::string::npos);
    CHECK(text.find("smtpprobe_snds_period_start_timestamp_seconds{ip=\"192.0.2.10\"} ") !=
          std::string::npos);

    RunOptions options;
    options.stdin_data = text;
    const RunResult check = run({"promtool", "check", "metrics"}, options);
    CAPTURE(check.out);
    CAPTURE(check.err);
    CHECK(check.exit_code == 0);
    CHECK(check.out.empty());
    CHECK(check.err.empty());
}

TEST_CASE(
    "the Grafana dashboard parses and every query names series serve exports or a rule records")
{
    ServedDashboard served;
    fill_fleet_history(served);
    REQUIRE_MESSAGE(served.start(), served.log());
    const HttpResult scrape = http_get(served.port(), "/metrics");
    REQUIRE(scrape.status == 200);
    const std::set<std::string> exported = exposition_families(scrape.body);
    const std::vector<std::string> recorded_list =
        yaml_list_values(read_file(k_recording), "record");
    const std::set<std::string> recorded(recorded_list.begin(), recorded_list.end());
    REQUIRE(exported.count("smtpprobe_blocked") == 1);
    REQUIRE(recorded.size() >= 8);
    // The rules themselves read only what serve exports (promtool cannot know that).
    for (const std::string& file : {k_recording, k_alerts}) {
        const std::vector<std::string> exprs = yaml_scalar_values(read_file(file), "expr");
        CHECK(exprs.size() >= 10);
        for (const std::string& expr : exprs) {
            check_names(file, expr, exported, recorded, expr.find("up{") != 0);
        }
    }

    const json dashboard =
        json::parse(read_file(k_source + "/deploy/grafana/smtpprobe-fleet.json"));
    CHECK(dashboard.at("title").is_string());
    CHECK(dashboard.at("uid").is_string());
    CHECK(dashboard.at("schemaVersion").is_number_integer());
    std::set<int> ids;
    int queries = 0;
    for (const json& panel : dashboard.at("panels")) {
        CAPTURE(panel.dump());
        CHECK(ids.insert(panel.at("id").get<int>()).second);
        const json& grid = panel.at("gridPos");
        CHECK(grid.at("x").get<int>() + grid.at("w").get<int>() <= 24);
        CHECK(grid.at("h").get<int>() > 0);
        CHECK(!panel.at("title").get<std::string>().empty());
        if (panel.at("type") == "row") {
            continue;
        }
        CHECK(panel.at("datasource").at("uid") == "${datasource}");
        REQUIRE(!panel.at("targets").empty());
        for (const json& target : panel.at("targets")) {
            check_names(panel.at("title").get<std::string>(), target.at("expr"), exported,
                        recorded);
            ++queries;
        }
    }
    CHECK(queries >= 15);
    for (const json& variable : dashboard.at("templating").at("list")) {
        if (variable.at("type") == "query") {
            check_names(variable.at("name"), variable.at("definition"), exported, recorded);
        }
    }
}

TEST_CASE(
    "a real Prometheus scraping serve fires SmtpprobeIpBlocked within one evaluation interval")
{
    require_tool("prometheus", "prometheus");
    ServedDashboard served;
    run_node(served, "mx1", 900, false); // a node that ticks: no block yet
    REQUIRE_MESSAGE(served.start(), served.log());

    constexpr auto k_scrape = std::chrono::milliseconds(500);
    constexpr auto k_evaluation = std::chrono::seconds(2);
    PrometheusServer prometheus(served.dir(), served.port(), k_scrape, k_evaluation,
                                {k_recording, k_alerts});
    REQUIRE_MESSAGE(prometheus.start(), prometheus.log());
    // Prometheus sees the node and raises nothing while nothing is blocked.
    REQUIRE_MESSAGE(
        prometheus.wait_for_series("smtpprobe_run_last_ok{node=\"mx1\"}", std::chrono::seconds(20)),
        prometheus.log());
    std::this_thread::sleep_for(2 * k_evaluation);
    CHECK(prometheus.alerts("SmtpprobeIpBlocked").empty());

    // The block appears in the database as `run` or `ingest` would write it.
    {
        store::Database db(served.db_path());
        db.exec("INSERT INTO evidence (time, ip, scope, verdict, reason, provider_code, "
                "source_kind, source_id) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
                "'192.0.2.10', 'microsoft-consumer/eur', 'blocked', 'blocked', 'S3140', "
                "'note', 1)");
        episodes::update_episodes(db, fleet_config());
    }
    const auto written = std::chrono::steady_clock::now();
    std::vector<json> firing;
    while (std::chrono::steady_clock::now() - written < std::chrono::seconds(20)) {
        firing = prometheus.alerts("SmtpprobeIpBlocked", "firing");
        if (!firing.empty()) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - written);
    MESSAGE("SmtpprobeIpBlocked firing " << latency.count() << " ms after the block was written "
                                         << "(scrape every " << k_scrape.count()
                                         << " ms, evaluation every " << k_evaluation.count()
                                         << " s)");
    REQUIRE_MESSAGE(firing.size() == 1, prometheus.log());
    CHECK(firing[0].at("labels").at("ip") == "192.0.2.10");
    CHECK(firing[0].at("labels").at("scope") == "microsoft-consumer/eur");
    CHECK(firing[0].at("labels").at("severity") == "critical");
    CHECK(firing[0].at("annotations").at("summary") ==
          "192.0.2.10 is blocked by microsoft-consumer/eur");
    // Seen by the next scrape, firing at the evaluation after it (HTTP polling slack: 250 ms).
    CHECK(latency <= k_scrape + k_evaluation + std::chrono::milliseconds(250));
}
