// A real Prometheus for the deploy/ tests (tests/integration/test_prometheus_deploy.cpp):
// started in a test's temporary directory on a loopback port, scraping one `serve` with short
// scrape and evaluation intervals, storage in the directory, killed with its process group
// when this goes out of scope. Plus the text helpers those tests read rules, expositions and
// PromQL with.
#pragma once

#include "tests/support/child_process.hpp"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace smtpprobe::test {

class PrometheusServer {
public:
    // Writes prometheus.yml into dir (a job "smtpprobe" scraping 127.0.0.1:serve_port, the
    // rule files by absolute path); nothing runs until start().
    PrometheusServer(const TempDir& dir, int serve_port, std::chrono::milliseconds scrape,
                     std::chrono::milliseconds evaluation, const std::vector<std::string>& rules);
    // Starts prometheus; false if its API did not answer within 20 s (see log()).
    bool start();
    std::string log() const { return read_file(m_log); }
    // Polls the instant query `selector` until it returns a sample, or the timeout passes.
    bool wait_for_series(const std::string& selector, std::chrono::milliseconds timeout);
    // The alerts of /api/v1/alerts named alertname (in state, when not empty).
    std::vector<nlohmann::json> alerts(const std::string& alertname, const std::string& state = "");

private:
    nlohmann::json api(const std::string& target);

    const TempDir& m_dir;
    std::string m_log;
    int m_port = 0;
    std::unique_ptr<Daemon> m_daemon;
};

// The metric families an exposition declares (its `# TYPE` lines).
std::set<std::string> exposition_families(const std::string& exposition);

// The metric names a PromQL text (or a rules file) uses: smtpprobe's raw series (names that
// start with smtpprobe_) and recorded ones (names with a ':' that mention smtpprobe). Quoted
// label values are not names.
struct NameUse {
    std::set<std::string> raw;
    std::set<std::string> recorded;
};
NameUse metric_names(const std::string& promql);

// The values of "- key: value" items of a YAML text, in order ("alert", "record").
std::vector<std::string> yaml_list_values(const std::string& yaml, const std::string& key);

// The values of a key anywhere in a YAML text ("expr"): the rest of its line, or the more
// indented lines of a block scalar ("expr: >") joined by spaces.
std::vector<std::string> yaml_scalar_values(const std::string& yaml, const std::string& key);

// The alert names a promtool rule-test file expects to fire at least once (an
// `alertname: X` whose exp_alerts lists an alert).
std::set<std::string> alerts_expected_firing(const std::string& tests_yaml);

} // namespace smtpprobe::test
