// Alert events from episodes and findings (see alert_events.hpp).
#include "monitor/alerts/alert_events.hpp"

#include "monitor/status/status_report.hpp"
#include "probe/printable.hpp"

namespace smtpprobe::alerts {

namespace {

using nlohmann::json;

// Peer text as part of a one-line summary: escaped by the terminal sink, at most ~200 bytes.
std::string one_line(const std::string& text)
{
    return printable(text, 200);
}

json episode_payload(const monitor::EpisodeView& e, const std::string& kind,
                     const std::string& action)
{
    return json{{"version", 1},       {"event", kind},
                {"ip", e.ip},         {"scope", e.scope},
                {"opened", e.opened}, {"closed", e.closed ? json(*e.closed) : json(nullptr)},
                {"reason", e.reason}, {"provider_code", e.provider_code},
                {"codes", e.codes},   {"evidence_count", e.evidence_count},
                {"action", action}};
}

std::string finding_text(const json& row, const char* key)
{
    auto it = row.find(key);
    if (it == row.end() || it->is_null()) {
        return "";
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

} // namespace

std::string summary(const json& p)
{
    // Every field through the terminal sink: the line goes to a mail subject and to people.
    auto field = [&](const char* key) {
        const auto it = p.find(key);
        return it != p.end() && it->is_string() ? one_line(it->get<std::string>()) : std::string();
    };
    std::string kind = field("event");
    std::string ip = field("ip");
    std::string who = ip.empty() ? "this server" : ip;
    std::string scope = field("scope");
    std::string code = field("provider_code");
    std::string opened = field("opened");
    std::string closed = field("closed");
    std::string with_code = code.empty() ? "" : " (" + code + ")";
    if (kind == "episode_opened") {
        return who + " blocked by " + scope + " since " + opened + with_code;
    }
    if (kind == "episode_closed") {
        return who + " accepted again by " + scope + " since " + closed + " (blocked since " +
               opened + ")";
    }
    if (kind == "dnsbl_listed") {
        return who + " listed in " + scope.substr(scope.find('/') + 1) + " since " + opened +
               with_code;
    }
    if (kind == "dnsbl_delisted") {
        return who + " delisted from " + scope.substr(scope.find('/') + 1) + " since " + closed;
    }
    const json& f = p.contains("finding") ? p["finding"] : json::object();
    std::string detail = finding_text(f, "detail");
    if (detail.empty()) {
        detail = finding_text(f, "summary");
    }
    std::string finding_kind = field("finding_kind");
    return "finding: " + (finding_kind.empty() ? std::string("finding") : finding_kind) +
           (detail.empty() ? "" : ": " + one_line(detail));
}

std::vector<AlertEvent> current_events(store::Database& db, const config::Config& config)
{
    monitor::StatusReport report = monitor::load_status(db, config);
    std::vector<AlertEvent> events;
    for (const monitor::EpisodeView& e : report.episodes) {
        std::string action;
        for (const evidence::ScopeState& s : report.scopes) {
            if (s.ip == e.ip && s.scope == e.scope) {
                action = s.action;
            }
        }
        bool dnsbl = e.scope.rfind("dnsbl/", 0) == 0;
        std::string base = e.ip + "|" + e.scope + "|" + e.opened;
        AlertEvent opened;
        opened.kind = dnsbl ? "dnsbl_listed" : "episode_opened";
        opened.key = opened.kind + "|" + base;
        opened.time = e.opened;
        opened.payload = episode_payload(e, opened.kind, action);
        events.push_back(std::move(opened));
        if (e.closed) {
            AlertEvent closed;
            closed.kind = dnsbl ? "dnsbl_delisted" : "episode_closed";
            closed.key = closed.kind + "|" + base + "|" + *e.closed;
            closed.time = *e.closed;
            closed.payload = episode_payload(e, closed.kind, action);
            events.push_back(std::move(closed));
        }
    }
    for (const store::FindingRow& finding : report.findings) {
        const std::string kind = finding.kind.empty() ? std::string("finding") : finding.kind;
        const std::string identity =
            finding.source_key.empty() ? std::to_string(finding.id) : finding.source_key;
        AlertEvent event;
        event.kind = kind == "backscatter" ? "backscatter" : "finding";
        event.key = "finding|" + kind + "|" + identity;
        event.time = finding.time;
        event.payload = json{{"version", 1},
                             {"event", event.kind},
                             {"finding_kind", kind},
                             {"time", event.time},
                             {"finding", monitor::finding_json(finding)}};
        if (!finding.action.empty()) {
            event.payload["action"] = finding.action; // report findings say what to do
        }
        events.push_back(std::move(event));
    }
    for (AlertEvent& event : events) {
        event.payload["key"] = event.key;
        event.payload["summary"] = summary(event.payload);
    }
    return events;
}

} // namespace smtpprobe::alerts
