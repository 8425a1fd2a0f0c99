// A test's own Prometheus and the deploy/ text helpers (see prometheus_server.hpp).
#include "tests/support/prometheus_server.hpp"

#include "tests/support/http_client.hpp"

#include <sstream>
#include <thread>

namespace smtpprobe::test {

namespace {

std::string duration_text(std::chrono::milliseconds d)
{
    return std::to_string(d.count()) + "ms";
}

std::string url_encoded(const std::string& text)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 0x0F];
        }
    }
    return out;
}

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) {
        text.pop_back();
    }
    std::size_t start = text.find_first_not_of(' ');
    text = start == std::string::npos ? "" : text.substr(start);
    if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
        text.back() == text.front()) {
        text = text.substr(1, text.size() - 2);
    }
    return text;
}

} // namespace

PrometheusServer::PrometheusServer(const TempDir& dir, int serve_port,
                                   std::chrono::milliseconds scrape,
                                   std::chrono::milliseconds evaluation,
                                   const std::vector<std::string>& rules)
    : m_dir(dir), m_log(dir.file("prometheus.log"))
{
    std::ostringstream c;
    c << "global:\n  scrape_interval: " << duration_text(scrape)
      << "\n  scrape_timeout: " << duration_text(scrape)
      << "\n  evaluation_interval: " << duration_text(evaluation) << "\nrule_files:\n";
    for (const std::string& rule : rules) {
        c << "  - \"" << rule << "\"\n";
    }
    c << "scrape_configs:\n  - job_name: smtpprobe\n    static_configs:\n"
      << "      - targets: [\"127.0.0.1:" << serve_port << "\"]\n";
    write_file(dir.file("prometheus.yml"), c.str());
}

bool PrometheusServer::start()
{
    m_port = free_tcp_port();
    m_daemon = std::make_unique<Daemon>(
        std::vector<std::string>{"prometheus", "--config.file=" + m_dir.file("prometheus.yml"),
                                 "--storage.tsdb.path=" + m_dir.file("prometheus-data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(m_port),
                                 "--log.level=warn"},
        m_log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (http_get(m_port, "/-/ready").status == 200) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

nlohmann::json PrometheusServer::api(const std::string& target)
{
    const HttpResult r = http_get(m_port, target);
    if (r.status != 200) {
        return nlohmann::json::object();
    }
    return nlohmann::json::parse(r.body, nullptr, false);
}

bool PrometheusServer::wait_for_series(const std::string& selector,
                                       std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const nlohmann::json answer = api("/api/v1/query?query=" + url_encoded(selector));
        if (answer.is_object() && answer.value("status", "") == "success" &&
            !answer["data"]["result"].empty()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

std::vector<nlohmann::json> PrometheusServer::alerts(const std::string& alertname,
                                                     const std::string& state)
{
    std::vector<nlohmann::json> found;
    const nlohmann::json answer = api("/api/v1/alerts");
    if (!answer.is_object() || !answer.contains("data")) {
        return found;
    }
    for (const nlohmann::json& alert : answer["data"]["alerts"]) {
        if (alert["labels"].value("alertname", "") == alertname &&
            (state.empty() || alert.value("state", "") == state)) {
            found.push_back(alert);
        }
    }
    return found;
}

std::set<std::string> exposition_families(const std::string& exposition)
{
    std::set<std::string> names;
    std::istringstream lines(exposition);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# TYPE ", 0) == 0) {
            names.insert(line.substr(7, line.find(' ', 7) - 7));
        }
    }
    return names;
}

NameUse metric_names(const std::string& promql)
{
    NameUse use;
    char quote = 0;
    std::string token;
    auto flush = [&] {
        if (token.rfind("smtpprobe_", 0) == 0) {
            use.raw.insert(token);
        } else if (token.find(':') != std::string::npos &&
                   token.find("smtpprobe") != std::string::npos) {
            use.recorded.insert(token);
        }
        token.clear();
    };
    for (std::size_t i = 0; i < promql.size(); ++i) {
        const char c = promql[i];
        if (quote) {
            if (c == '\\') {
                ++i;
            } else if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == '"' || c == '\'' || c == '`') {
            flush();
            quote = c;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':') {
            token += c;
        } else {
            flush();
        }
    }
    flush();
    return use;
}

std::vector<std::string> yaml_list_values(const std::string& yaml, const std::string& key)
{
    std::vector<std::string> values;
    const std::string marker = "- " + key + ":";
    std::istringstream lines(yaml);
    for (std::string line; std::getline(lines, line);) {
        const std::size_t at = line.find(marker);
        if (at != std::string::npos && line.find_first_not_of(' ') == at) {
            values.push_back(trimmed(line.substr(at + marker.size())));
        }
    }
    return values;
}

std::vector<std::string> yaml_scalar_values(const std::string& yaml, const std::string& key)
{
    std::vector<std::string> values;
    std::vector<std::string> lines;
    std::istringstream in(yaml);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t indent = lines[i].find_first_not_of(' ');
        if (indent == std::string::npos || lines[i].compare(indent, key.size() + 1, key + ":")) {
            continue;
        }
        std::string value = trimmed(lines[i].substr(indent + key.size() + 1));
        if (value.empty() || value[0] == '>' || value[0] == '|') {
            value.clear();
            while (i + 1 < lines.size()) {
                const std::size_t next = lines[i + 1].find_first_not_of(' ');
                if (next != std::string::npos && next <= indent) {
                    break;
                }
                value += (value.empty() ? "" : " ") + trimmed(lines[++i]);
            }
        }
        values.push_back(value);
    }
    return values;
}

std::set<std::string> alerts_expected_firing(const std::string& tests_yaml)
{
    std::set<std::string> firing;
    std::string current;
    std::istringstream lines(tests_yaml);
    for (std::string line; std::getline(lines, line);) {
        const std::string text = trimmed(line);
        if (text.rfind("alertname:", 0) == 0) {
            current = trimmed(text.substr(10));
        } else if (text.rfind("- eval_time:", 0) == 0) {
            current.clear();
        } else if (text.rfind("- exp_labels:", 0) == 0 && !current.empty()) {
            firing.insert(current);
        }
    }
    return firing;
}

} // namespace smtpprobe::test
