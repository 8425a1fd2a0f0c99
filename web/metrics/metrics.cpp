// Prometheus exposition of the store (see metrics.hpp).
#include "web/metrics/metrics.hpp"

#include "monitor/evidence/state_query.hpp"
#include "monitor/store/history_rows.hpp"
#include "monitor/store/node_rows.hpp"
#include "monitor/store/probe_pages.hpp"
#include "monitor/store/source_views.hpp"
#include "probe/text/utc_time.hpp"
#include "web/api/api.hpp"

#include <map>
#include <set>
#include <vector>

namespace smtpprobe::web {
namespace {

using Labels = std::vector<std::pair<const char*, std::string>>;

class Exposition {
public:
    void family(const char* name, const char* type, const char* help)
    {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += help;
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }
    void sample(const char* name, const Labels& labels, long long value)
    {
        m_out += name;
        if (!labels.empty()) {
            m_out += '{';
            bool first = true;
            for (const auto& [key, text] : labels) {
                if (!first) {
                    m_out += ',';
                }
                first = false;
                m_out += key;
                m_out += "=\"";
                m_out += escape_label_value(text);
                m_out += '"';
            }
            m_out += '}';
        }
        m_out += ' ';
        m_out += std::to_string(value);
        m_out += '\n';
    }
    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

void counts(Exposition& out, store::Database& db, const char* name, const char* label,
            store::Grouped which)
{
    for (const store::GroupedCount& row : store::read_grouped_counts(db, which)) {
        out.sample(name, {{label, row.key.value_or("")}}, row.count);
    }
}

// Each node's `run` ticks (node_run, schema 017): a fleet alerts on a node whose latest
// completed tick is older than its interval (deploy/prometheus/smtpprobe-alerts.yml).
void append_node_runs(Exposition& out, store::Database& db)
{
    const std::vector<store::NodeRunRow> nodes = store::read_node_runs(db);
    out.family("smtpprobe_run_last_completion_timestamp_seconds", "gauge",
               "When the node's latest `smtpprobe run` tick finished, whatever its parts did.");
    for (const store::NodeRunRow& n : nodes) {
        if (auto when = epoch_seconds(n.last_finished)) {
            out.sample("smtpprobe_run_last_completion_timestamp_seconds", {{"node", n.node}},
                       *when);
        }
    }
    out.family("smtpprobe_run_last_success_timestamp_seconds", "gauge",
               "When the node's latest `smtpprobe run` tick whose every part succeeded finished.");
    for (const store::NodeRunRow& n : nodes) {
        if (auto when = epoch_seconds(n.last_success)) {
            out.sample("smtpprobe_run_last_success_timestamp_seconds", {{"node", n.node}}, *when);
        }
    }
    out.family("smtpprobe_run_last_ok", "gauge",
               "1 when every part of the node's latest `smtpprobe run` tick succeeded, else 0.");
    for (const store::NodeRunRow& n : nodes) {
        out.sample("smtpprobe_run_last_ok", {{"node", n.node}}, n.last_result == "ok" ? 1 : 0);
    }
    out.family("smtpprobe_run_interval_seconds", "gauge",
               "How often the node's timer starts `smtpprobe run` ([run] interval).");
    for (const store::NodeRunRow& n : nodes) {
        out.sample("smtpprobe_run_interval_seconds", {{"node", n.node}}, n.interval_seconds);
    }
}

} // namespace

std::optional<long long> epoch_seconds(std::string_view iso)
{
    // Stored times are "YYYY-MM-DDTHH:MM:SSZ"; whatever follows the seconds is not read.
    if (iso.size() < 19) {
        return std::nullopt;
    }
    auto when = parse_iso_utc(std::string(iso.substr(0, 19)) + "Z");
    if (!when) {
        return std::nullopt;
    }
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::seconds>(when->time_since_epoch()).count());
}

std::string render_metrics(store::Database& db, const config::Config& config)
{
    Exposition out;
    out.family("smtpprobe_build_info", "gauge", "Build of the smtpprobe serving these metrics.");
    out.sample("smtpprobe_build_info", {{"version", SMTPPROBE_VERSION}}, 1);

    // Every (ip, scope) that is blocked or ever was (one series per receiver that matters,
    // not one per host ever delivered to): 1 while an episode is open, as the state query says.
    out.family("smtpprobe_blocked", "gauge",
               "1 while a block episode is open for the sending IP and receiver scope.");
    // Only the blocked pairs are read from the state (a fleet's 250,000 clear pairs took 3 s
    // a scrape when every pair was read); every pair with an episode is a pair of the state.
    std::vector<std::pair<Labels, long long>> starts;
    std::set<std::pair<std::string, std::string>> ever_blocked;
    for (const store::EpisodeRow& episode : store::read_episodes(db)) {
        ever_blocked.emplace(episode.ip, episode.scope);
    }
    evidence::StateFilter blocked_only;
    blocked_only.state = "blocked";
    const evidence::StateSnapshot blocked_state = evidence::read_state(db, config, blocked_only);
    std::map<std::pair<std::string, std::string>, const evidence::ScopeState*> blocked;
    for (const evidence::ScopeState& s : blocked_state.scopes) {
        blocked.emplace(std::make_pair(s.ip, s.scope), &s);
        ever_blocked.emplace(s.ip, s.scope);
    }
    for (const auto& key : ever_blocked) { // ordered by ip, then scope, as the state
        Labels labels{{"ip", key.first}, {"scope", key.second}};
        const auto now = blocked.find(key);
        out.sample("smtpprobe_blocked", labels, now != blocked.end() ? 1 : 0);
        if (now != blocked.end() && now->second->episode) {
            if (auto when = epoch_seconds(now->second->episode->opened)) {
                starts.emplace_back(labels, *when);
            }
        }
    }
    out.family("smtpprobe_episode_start_timestamp_seconds", "gauge",
               "When the open block episode of the sending IP and scope started.");
    for (const auto& [labels, when] : starts) {
        out.sample("smtpprobe_episode_start_timestamp_seconds", labels, when);
    }

    out.family(
        "smtpprobe_dnsbl_listed", "gauge",
        "1 when the latest check found the IP listed in the zone, 0 when clean, -1 unknown.");
    for (const store::DnsblCheckView& check : store::read_latest_dnsbl(db, {}, {})) {
        out.sample("smtpprobe_dnsbl_listed", {{"ip", check.ip}, {"zone", check.zone}},
                   check.result == "listed" ? 1 : (check.result == "clean" ? 0 : -1));
    }

    out.family("smtpprobe_probe_last_success_timestamp_seconds", "gauge",
               "When the last probe of the receiver completed its dialogue.");
    for (const store::LastProbeSuccess& probe : store::read_last_probe_successes(db)) {
        if (auto when = epoch_seconds(probe.time)) {
            out.sample("smtpprobe_probe_last_success_timestamp_seconds", {{"target", probe.target}},
                       *when);
        }
    }

    out.family("smtpprobe_ingested_rows", "gauge", "Rows stored per source.");
    for (auto [kind, table] : {std::pair{"delivery", store::CountedTable::delivery},
                               std::pair{"bounce", store::CountedTable::bounce},
                               std::pair{"probe_run", store::CountedTable::probe_run},
                               std::pair{"dnsbl_check", store::CountedTable::dnsbl_check},
                               std::pair{"note", store::CountedTable::note}}) {
        out.sample("smtpprobe_ingested_rows", {{"table", kind}},
                   store::count_table_rows(db, table));
    }
    out.family("smtpprobe_evidence_rows", "gauge", "Evidence rows per source kind.");
    counts(out, db, "smtpprobe_evidence_rows", "source_kind",
           store::Grouped::evidence_rows_by_source);
    out.family("smtpprobe_evidence_observations", "gauge",
               "Observations per source kind (a clear row of a log counts several successes).");
    counts(out, db, "smtpprobe_evidence_observations", "source_kind",
           store::Grouped::evidence_observations_by_source);
    out.family("smtpprobe_evidence_verdict_observations", "gauge",
               "Observations per verdict (blocked, clear, unknown) and source kind.");
    for (const store::VerdictSourceCount& c : store::read_observations_by_verdict_and_source(db)) {
        out.sample("smtpprobe_evidence_verdict_observations",
                   {{"verdict", c.verdict}, {"source_kind", c.source_kind}}, c.observations);
    }
    if (table_exists(db, "finding")) {
        out.family("smtpprobe_findings", "gauge", "Findings per kind (backscatter, ...).");
        counts(out, db, "smtpprobe_findings", "kind", store::Grouped::findings_by_kind);
        out.family("smtpprobe_finding_last_timestamp_seconds", "gauge",
                   "When the latest finding of the kind was observed.");
        for (const store::FindingKindTime& f : store::read_latest_finding_times(db)) {
            if (auto when = epoch_seconds(f.time)) {
                out.sample("smtpprobe_finding_last_timestamp_seconds", {{"kind", f.kind}}, *when);
            }
        }
    }
    append_node_runs(out, db);
    out.family("smtpprobe_ingest_file_offset_bytes", "gauge",
               "How far incremental ingestion has read each log file, per node.");
    for (const store::IngestCursorRow& cursor : store::read_ingest_cursors(db)) {
        // Per node: nodes read files of the same path on their own hosts (schema 018); node
        // "" is a cursor written before fleets.
        out.sample("smtpprobe_ingest_file_offset_bytes",
                   {{"node", cursor.node}, {"path", cursor.path}}, cursor.offset);
    }
    std::string text = out.take();
    append_report_metrics(text, db);
    return text;
}

} // namespace smtpprobe::web
