// One cron tick (see run_tick.hpp).
#include "monitor/run/run_tick.hpp"

#include "monitor/alerts/alert_outbox.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/status/status_report.hpp"
#include "monitor/store/node_rows.hpp"
#include "probe/log.hpp"
#include "probe/printable.hpp"

#include <algorithm>
#include <memory>

namespace smtpprobe::monitor {

namespace {

// Runs one part; a part that throws failed. A failed part is logged at error priority (so
// `journalctl -p err` shows it under systemd), whatever the command prints.
template <typename Part>
PartResult guarded(const char* name, Part part)
{
    PartResult result;
    try {
        result = part();
    } catch (const std::exception& e) {
        result = PartResult{name, true, false, printable(e.what(), 400)};
    }
    if (!result.ok) {
        log::error("run: part ", result.name, " failed: ", result.detail);
    }
    return result;
}

// The node's row (node_run): when this tick started and finished and whether every part
// succeeded, so a fleet's monitoring sees a node that stopped ticking or keeps failing. A
// failure to write it is a failed part of its own.
void record_tick(store::Database& db, const config::Config& config, RunReport& report)
{
    std::string failed;
    for (const PartResult& p : report.parts) {
        if (!p.ok) {
            failed += (failed.empty() ? "failed: " : ", ") + p.name;
        }
    }
    try {
        store::record_node_run(db, {node_name(config), report.started, iso_utc(monitor::now()), "",
                                    failed.empty() ? "ok" : failed, config.run.interval.count()});
    } catch (const std::exception& e) {
        report.parts.push_back(PartResult{"node", true, false, printable(e.what(), 400)});
        log::error("run: part node failed: ", report.parts.back().detail);
    }
}

} // namespace

bool RunReport::failed() const
{
    return std::any_of(parts.begin(), parts.end(), [](const PartResult& p) { return !p.ok; });
}

int RunReport::exit_code() const
{
    if (failed()) {
        return 3;
    }
    return blocked ? 1 : 0;
}

nlohmann::json RunReport::to_json() const
{
    nlohmann::json list = nlohmann::json::array();
    for (const PartResult& p : parts) {
        list.push_back({{"part", p.name}, {"ran", p.ran}, {"ok", p.ok}, {"detail", p.detail}});
    }
    return {{"started", started},       {"parts", list},
            {"blocked", blocked},       {"blocked_scopes", blocked_scopes},
            {"new_alerts", new_alerts}, {"exit_code", exit_code()}};
}

std::string RunReport::to_text() const
{
    std::string out;
    for (const PartResult& p : parts) {
        out += (p.ok ? "  " : "! ") + p.name + ": " + (p.ok ? "" : "FAILED: ") + p.detail + "\n";
    }
    if (blocked) {
        out += "blocked or listed:";
        for (const std::string& s : blocked_scopes) {
            out += " " + printable(s, 300) + ";"; // "IP scope": the scope may be peer text
        }
        out += "\n";
    } else {
        out += "all clear\n";
    }
    return out;
}

RunReport run_tick(store::Database& db, const config::Config& config, const RunOptions& options)
{
    RunReport report;
    Clock::time_point now = monitor::now();
    report.started = iso_utc(now);
    std::unique_ptr<classify::Classifier> user_rules;
    if (!config.rules.empty()) {
        user_rules = classify::Classifier::with_user_rules(config.rules);
    }
    const classify::Classifier& classifier =
        user_rules ? *user_rules : classify::Classifier::builtin();
    TickContext tick{db,
                     config,
                     classifier,
                     options.dns_server.empty() ? config.dns_server : options.dns_server,
                     now,
                     options.force,
                     evidence::OurIps::of(config),
                     options.snds_url};

    report.parts.push_back(guarded("logs", [&] { return ingest_logs(tick); }));
    report.parts.push_back(guarded("bounces", [&] { return ingest_bounces(tick); }));
    report.parts.push_back(guarded("probes", [&] { return run_due_probes(tick); }));
    report.parts.push_back(guarded("dnsbl", [&] { return run_due_dnsbl(tick); }));
    report.parts.push_back(guarded("hygiene", [&] { return run_due_hygiene(tick); }));
    report.parts.push_back(guarded("snds", [&] { return run_due_snds(tick); }));
    report.parts.push_back(guarded("episodes", [&] {
        auto r = episodes::update_episodes(db, config);
        return PartResult{"episodes", r.evidence_folded > 0, true,
                          std::to_string(r.evidence_folded) + " new evidence" +
                              (r.full_rebuild ? " (full rebuild)" : "")};
    }));
    report.parts.push_back(guarded("alerts", [&] {
        auto queued = alerts::enqueue_alerts(db, config, now);
        auto sent = alerts::dispatch_alerts(db, config, now);
        report.new_alerts = queued.new_events;
        PartResult part{"alerts", queued.new_events > 0 || sent.sent > 0, true,
                        std::to_string(queued.new_events) + " new, " + std::to_string(sent.sent) +
                            " sent, " + std::to_string(sent.retry_later) + " to retry, " +
                            std::to_string(sent.failed) + " given up"};
        if (!sent.errors.empty()) {
            part.ok = false;
            for (const std::string& e : sent.errors) {
                part.detail += "; " + e;
            }
        }
        return part;
    }));
    record_tick(db, config, report);
    StatusReport status = load_status(db, config);
    for (const evidence::ScopeState& s : status.scopes) {
        if (s.state == evidence::Verdict::blocked) {
            report.blocked = true;
            report.blocked_scopes.push_back((s.ip.empty() ? "(this server)" : s.ip) + " " +
                                            s.scope);
        }
    }
    return report;
}

} // namespace smtpprobe::monitor
