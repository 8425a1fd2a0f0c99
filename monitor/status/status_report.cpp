// The status report: loading from the store, JSON and the human table (see status_report.hpp).
#include "monitor/status/status_report.hpp"

#include "monitor/episodes/episode_rows.hpp"
#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/status/iso_time.hpp"
#include "probe/printable.hpp"

#include <algorithm>
#include <iomanip>

namespace smtpprobe::monitor {

namespace {

using nlohmann::json;

json optional_text(const std::optional<std::string>& value)
{
    return value ? json(*value) : json(nullptr);
}

std::string cell(const std::optional<std::string>& value)
{
    return value ? *value : std::string("-");
}

std::string ip_label(const std::string& ip)
{
    return ip.empty() ? std::string("(this server)") : ip;
}

} // namespace

bool StatusReport::any_blocked() const
{
    return std::any_of(scopes.begin(), scopes.end(), [](const evidence::ScopeState& s) {
        return s.state == evidence::Verdict::blocked;
    });
}

StatusReport load_status(store::Database& db, const config::Config& config,
                         const evidence::StateFilter& given)
{
    const evidence::StateFilter filter = evidence::with_node_keys(db, config, given);
    StatusReport report;
    evidence::StateSnapshot state = evidence::read_state(db, config, filter);
    report.scopes = std::move(state.scopes);
    report.unfolded_evidence = state.unfolded_evidence;
    for (store::EpisodeRow& row : store::read_episodes(db)) {
        if (!filter.keeps(row.ip, row.scope)) {
            continue;
        }
        EpisodeView e;
        e.id = row.id;
        e.ip = std::move(row.ip);
        e.scope = std::move(row.scope);
        e.opened = std::move(row.opened);
        e.closed = std::move(row.closed);
        e.reason = std::move(row.reason);
        e.codes = episodes::codes_from_json(row.codes);
        e.provider_code = e.codes.empty() ? std::string() : e.codes.front();
        e.evidence_count = row.evidence_count;
        report.episodes.push_back(std::move(e));
    }
    report.findings = store::read_findings(db);
    report.notes = store::read_notes(db);
    report.hygiene = store::read_latest_hygiene(db);
    report.silent_nodes = silent_nodes(db, now(), filter.node);
    return report;
}

json finding_json(const store::FindingRow& f)
{
    return json{{"id", f.id},
                {"time", f.time},
                {"kind", f.kind},
                {"host", f.host.empty() ? json(nullptr) : json(f.host)},
                {"queue_id", f.queue_id.empty() ? json(nullptr) : json(f.queue_id)},
                {"detail", f.detail.empty() ? json(nullptr) : json(f.detail)},
                {"source_kind", f.source_kind},
                {"source_key", f.source_key},
                {"ip", f.ip.empty() ? json(nullptr) : json(f.ip)},
                {"scope", f.scope.empty() ? json(nullptr) : json(f.scope)},
                {"action", f.action.empty() ? json(nullptr) : json(f.action)}};
}

json status_json(const StatusReport& report)
{
    json scopes = json::array();
    for (const evidence::ScopeState& s : report.scopes) {
        json episode = nullptr;
        if (s.episode) {
            episode = {{"id", s.episode->id},
                       {"opened", s.episode->opened},
                       {"reason", s.episode->reason},
                       {"codes", s.episode->codes},
                       {"evidence_count", s.episode->evidence_count}};
        }
        scopes.push_back(
            {{"ip", s.ip},
             {"scope", s.scope},
             {"state", evidence::name(s.state)},
             {"since", optional_text(s.since)},
             {"last_evidence",
              s.last_evidence_time.empty() ? json(nullptr) : json(s.last_evidence_time)},
             {"provider_code", s.provider_code},
             {"reason", s.reason},
             {"action", s.action},
             {"receiver", s.receiver.empty() ? json(nullptr) : json(s.receiver)},
             {"episode", episode}});
    }
    json episodes = json::array();
    for (const EpisodeView& e : report.episodes) {
        episodes.push_back({{"ip", e.ip},
                            {"scope", e.scope},
                            {"opened", e.opened},
                            {"closed", optional_text(e.closed)},
                            {"reason", e.reason},
                            {"provider_code", e.provider_code},
                            {"codes", e.codes},
                            {"evidence_count", e.evidence_count}});
    }
    json findings = json::array();
    for (const store::FindingRow& f : report.findings) {
        findings.push_back(finding_json(f));
    }
    json notes = json::array();
    for (const store::NoteRow& n : report.notes) {
        notes.push_back({{"time", n.time}, {"ip", n.ip}, {"scope", n.scope}, {"text", n.text}});
    }
    json hygiene = json::array();
    for (const store::HygieneRow& h : report.hygiene) {
        json detail = json::parse(h.detail, nullptr, false);
        hygiene.push_back({{"ip", h.ip},
                           {"time", h.time},
                           {"helo", h.helo},
                           {"mail_from_domain", h.mail_from_domain},
                           {"fcrdns", h.fcrdns},
                           {"helo_matches_ptr", h.helo_matches},
                           {"spf", h.spf},
                           {"dmarc_present", h.dmarc_present},
                           {"dmarc_policy", h.dmarc_policy},
                           {"all_ok", h.all_ok},
                           {"unknown", h.unknown},
                           {"detail", detail.is_discarded() ? json(nullptr) : detail}});
    }
    json silent = json::array();
    for (const SilentNode& n : report.silent_nodes) {
        silent.push_back({{"node", n.node},
                          {"since", n.since},
                          {"interval_seconds", n.interval_seconds},
                          {"title", silent_node_title(n)}});
    }
    return json{{"scopes", scopes},
                {"episodes", episodes},
                {"findings", findings},
                {"notes", notes},
                {"hygiene", hygiene},
                {"silent_nodes", silent},
                {"unfolded_evidence", report.unfolded_evidence}};
}

void print_status(std::ostream& out, const StatusReport& report)
{
    if (report.unfolded_evidence > 0) {
        out << report.unfolded_evidence
            << " newer evidence not folded into episodes yet: `smtpprobe run` folds it.\n";
    }
    if (report.scopes.empty()) {
        out << "No evidence yet: run `smtpprobe run` (or ingest logs/bounces) first.\n";
    } else {
        out << std::left << std::setw(17) << "IP" << std::setw(34) << "SCOPE" << std::setw(9)
            << "STATE" << std::setw(22) << "SINCE" << std::setw(22) << "LAST EVIDENCE"
            << std::setw(10) << "CODE"
            << "ACTION\n";
        for (const evidence::ScopeState& s : report.scopes) {
            out << std::left << std::setw(16) << printable(ip_label(s.ip), 40) << " "
                << std::setw(33) << printable(s.scope, 60) << " " << std::setw(8)
                << evidence::name(s.state) << " " << std::setw(21) << cell(s.since) << " "
                << std::setw(21) << (s.last_evidence_time.empty() ? "-" : s.last_evidence_time)
                << " " << std::setw(9)
                << (s.provider_code.empty() ? std::string("-") : printable(s.provider_code, 40))
                << " " << printable(s.action, 300) << "\n";
        }
    }
    if (!report.episodes.empty()) {
        out << "\nEpisodes:\n";
        for (const EpisodeView& e : report.episodes) {
            out << "  " << printable(ip_label(e.ip), 40) << "  " << printable(e.scope, 60) << "  "
                << e.opened << " -> " << (e.closed ? *e.closed : std::string("(open)")) << "  "
                << printable(e.reason, 40)
                << (e.provider_code.empty() ? "" : " " + printable(e.provider_code, 40)) << "  ("
                << e.evidence_count << " evidence)\n";
        }
    }
    if (!report.silent_nodes.empty()) {
        out << "\nSilent nodes:\n";
        for (const SilentNode& n : report.silent_nodes) {
            out << "  " << printable(silent_node_title(n), 300) << "\n";
        }
    }
    if (!report.findings.empty()) {
        out << "\nFindings:\n";
        for (const store::FindingRow& f : report.findings) {
            out << "  " << printable(f.time, 40) << "  " << printable(f.kind, 40);
            if (!f.queue_id.empty()) {
                out << "  queue " << printable(f.queue_id, 60);
            }
            out << "  " << printable(f.detail, 300);
            if (!f.action.empty()) {
                out << "\n    what to do: " << printable(f.action, 600);
            }
            if (f.kind == "backscatter") {
                out << "\n    our server sent a delivery notification to a sender it did not "
                       "verify;"
                       " run smtpprobe --dsn-test against your MX and follow its advice";
            }
            out << "\n";
        }
    }
    if (!report.hygiene.empty()) {
        out << "\nSender hygiene:\n";
        for (const store::HygieneRow& h : report.hygiene) {
            auto yes = [](bool value) { return value ? "yes" : "NO"; };
            out << "  " << printable(h.ip, 40) << "  checked " << printable(h.time, 40)
                << "  FCrDNS " << yes(h.fcrdns) << ", HELO matches PTR " << yes(h.helo_matches)
                << ", SPF " << printable(h.spf, 20) << ", DMARC "
                << (h.dmarc_present ? "p=" + printable(h.dmarc_policy, 20) : std::string("missing"))
                << (h.unknown ? " (some lookups failed)" : "") << "\n";
        }
    }
    if (!report.notes.empty()) {
        out << "\nNotes:\n";
        for (const store::NoteRow& n : report.notes) {
            out << "  " << n.time << "  " << printable(ip_label(n.ip), 40) << "  "
                << printable(n.scope.empty() ? std::string("-") : n.scope, 60) << "  "
                << printable(n.text, 1000) << "\n";
        }
    }
}

std::int64_t add_note(store::Database& db, const std::string& ip, const std::string& scope,
                      const std::string& text)
{
    store::Transaction tx(db);
    const std::string time = iso_utc(now());
    const std::int64_t id = store::insert_note(db, time, ip, scope, text);
    // A note is on the timeline of its (ip, scope) and changes no state.
    evidence::Observation o;
    o.source = evidence::SourceKind::note;
    o.observed = evidence::Observed::statement;
    o.stated_verdict = evidence::Verdict::unknown;
    o.stated_scope = scope;
    o.stated_reason = "note";
    o.source_ip = ip;
    evidence::EvidenceWriter writer(db, ""); // a note is the operator's, no node's observation
    writer.record(time, evidence::SourceKind::note, id, evidence::decide(o, evidence::OurIps()));
    writer.write();
    tx.commit();
    return id;
}

} // namespace smtpprobe::monitor
