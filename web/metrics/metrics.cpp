// Prometheus exposition of the store (see metrics.hpp).
#include "web/metrics/metrics.hpp"

#include "monitor/evidence/state_query.hpp"
#include "monitor/store/history_rows.hpp"
#include "monitor/store/node_rows.hpp"
#include "web/api/api.hpp"

#include <charconv>
#include <ctime>
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

int digits(std::string_view text, std::size_t at, std::size_t count, bool& ok)
{
    int value = 0;
    auto part = text.substr(at, count);
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || end != part.data() + part.size()) {
        ok = false;
    }
    return value;
}

void counts(Exposition& out, store::Database& db, const char* name, const char* label,
            const char* sql)
{
    auto stmt = db.prepare(sql);
    while (stmt.step()) {
        out.sample(name, {{label, stmt.is_null(0) ? "" : stmt.column_text(0)}}, stmt.column_int(1));
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
    if (iso.size() < 19 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':' ||
        iso[16] != ':') {
        return std::nullopt;
    }
    bool ok = true;
    std::tm parts{};
    parts.tm_year = digits(iso, 0, 4, ok) - 1900;
    parts.tm_mon = digits(iso, 5, 2, ok) - 1;
    parts.tm_mday = digits(iso, 8, 2, ok);
    parts.tm_hour = digits(iso, 11, 2, ok);
    parts.tm_min = digits(iso, 14, 2, ok);
    parts.tm_sec = digits(iso, 17, 2, ok);
    if (!ok) {
        return std::nullopt;
    }
    return static_cast<long long>(timegm(&parts));
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
    std::vector<std::pair<Labels, long long>> starts;
    std::set<std::pair<std::string, std::string>> ever_blocked;
    for (const store::EpisodeRow& episode : store::read_episodes(db)) {
        ever_blocked.emplace(episode.ip, episode.scope);
    }
    for (const evidence::ScopeState& s : evidence::read_state(db, config).scopes) {
        if (s.state != evidence::Verdict::blocked && !ever_blocked.count({s.ip, s.scope})) {
            continue;
        }
        Labels labels{{"ip", s.ip}, {"scope", s.scope}};
        out.sample("smtpprobe_blocked", labels, s.state == evidence::Verdict::blocked ? 1 : 0);
        if (s.episode) {
            if (auto when = epoch_seconds(s.episode->opened)) {
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
    {
        auto stmt = db.prepare("SELECT ip, zone, result, max(time) FROM dnsbl_check "
                               "GROUP BY ip, zone ORDER BY ip, zone");
        while (stmt.step()) {
            std::string result = stmt.column_text(2);
            out.sample("smtpprobe_dnsbl_listed",
                       {{"ip", stmt.column_text(0)}, {"zone", stmt.column_text(1)}},
                       result == "listed" ? 1 : (result == "clean" ? 0 : -1));
        }
    }

    out.family("smtpprobe_probe_last_success_timestamp_seconds", "gauge",
               "When the last probe of the receiver completed its dialogue.");
    {
        auto stmt = db.prepare("SELECT target, max(coalesce(finished_at, started_at)) "
                               "FROM probe_run WHERE outcome = 'completed' "
                               "GROUP BY target ORDER BY target");
        while (stmt.step()) {
            if (auto when = epoch_seconds(stmt.column_text(1))) {
                out.sample("smtpprobe_probe_last_success_timestamp_seconds",
                           {{"target", stmt.column_text(0)}}, *when);
            }
        }
    }

    out.family("smtpprobe_ingested_rows", "gauge", "Rows stored per source.");
    for (auto [kind, sql] : {std::pair{"delivery", "SELECT count(*) FROM delivery"},
                             std::pair{"bounce", "SELECT count(*) FROM bounce"},
                             std::pair{"probe_run", "SELECT count(*) FROM probe_run"},
                             std::pair{"dnsbl_check", "SELECT count(*) FROM dnsbl_check"},
                             std::pair{"note", "SELECT count(*) FROM note"}}) {
        auto stmt = db.prepare(sql);
        stmt.step();
        out.sample("smtpprobe_ingested_rows", {{"table", kind}}, stmt.column_int(0));
    }
    out.family("smtpprobe_evidence_rows", "gauge", "Evidence rows per source kind.");
    counts(out, db, "smtpprobe_evidence_rows", "source_kind",
           "SELECT source_kind, count(*) FROM evidence GROUP BY source_kind ORDER BY 1");
    out.family("smtpprobe_evidence_observations", "gauge",
               "Observations per source kind (a clear row of a log counts several successes).");
    counts(out, db, "smtpprobe_evidence_observations", "source_kind",
           "SELECT source_kind, sum(observations) FROM evidence GROUP BY source_kind ORDER BY 1");
    out.family("smtpprobe_evidence_verdict_observations", "gauge",
               "Observations per verdict (blocked, clear, unknown) and source kind.");
    {
        auto stmt = db.prepare("SELECT verdict, source_kind, sum(observations) FROM evidence "
                               "GROUP BY verdict, source_kind ORDER BY 1, 2");
        while (stmt.step()) {
            out.sample("smtpprobe_evidence_verdict_observations",
                       {{"verdict", stmt.column_text(0)}, {"source_kind", stmt.column_text(1)}},
                       stmt.column_int(2));
        }
    }
    if (table_exists(db, "finding")) {
        out.family("smtpprobe_findings", "gauge", "Findings per kind (backscatter, ...).");
        counts(out, db, "smtpprobe_findings", "kind",
               "SELECT kind, count(*) FROM finding GROUP BY kind ORDER BY kind");
        out.family("smtpprobe_finding_last_timestamp_seconds", "gauge",
                   "When the latest finding of the kind was observed.");
        auto stmt = db.prepare("SELECT kind, max(time) FROM finding GROUP BY kind ORDER BY kind");
        while (stmt.step()) {
            if (auto when = epoch_seconds(stmt.column_text(1))) {
                out.sample("smtpprobe_finding_last_timestamp_seconds",
                           {{"kind", stmt.column_text(0)}}, *when);
            }
        }
    }
    append_node_runs(out, db);
    out.family("smtpprobe_ingest_file_offset_bytes", "gauge",
               "How far incremental ingestion has read each log file.");
    counts(out, db, "smtpprobe_ingest_file_offset_bytes", "path",
           "SELECT path, offset FROM ingest_cursor ORDER BY path");
    std::string text = out.take();
    append_report_metrics(text, db);
    return text;
}

} // namespace smtpprobe::web
