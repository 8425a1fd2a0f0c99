// The status report: loading from the store, JSON and the human table (see status_report.hpp).
#include "monitor/status/status_report.hpp"

#include "monitor/episodes/episode_builder.hpp"
#include "monitor/episodes/episode_rows.hpp"
#include "monitor/status/iso_time.hpp"
#include "monitor/status/scope_action.hpp"
#include "probe/printable.hpp"

#include <algorithm>
#include <iomanip>

namespace smtpprobe::monitor {

namespace {

using nlohmann::json;
using store::Statement;

json optional_text(const std::optional<std::string>& value)
{
    return value ? json(*value) : json(nullptr);
}

bool table_exists(store::Database& db, const char* name)
{
    Statement st(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    st.bind(1, name);
    return st.step();
}

// Every row of the finding table (owned by the log ingester) as a JSON object, whatever its
// columns: the report does not depend on that table's exact shape.
json load_findings(store::Database& db)
{
    json out = json::array();
    if (!table_exists(db, "finding")) {
        return out;
    }
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.handle(), "SELECT * FROM finding ORDER BY 1", -1, &raw, nullptr) !=
        SQLITE_OK) {
        sqlite3_finalize(raw);
        throw store::StoreError(db.path() + ": reading findings: " + sqlite3_errmsg(db.handle()));
    }
    while (sqlite3_step(raw) == SQLITE_ROW) {
        json row = json::object();
        for (int i = 0; i < sqlite3_column_count(raw); ++i) {
            const char* name = sqlite3_column_name(raw, i);
            switch (sqlite3_column_type(raw, i)) {
            case SQLITE_INTEGER:
                row[name] = sqlite3_column_int64(raw, i);
                break;
            case SQLITE_FLOAT:
                row[name] = sqlite3_column_double(raw, i);
                break;
            case SQLITE_NULL:
                row[name] = nullptr;
                break;
            default: {
                const unsigned char* text = sqlite3_column_text(raw, i);
                row[name] = std::string(reinterpret_cast<const char*>(text),
                                        static_cast<std::size_t>(sqlite3_column_bytes(raw, i)));
            }
            }
        }
        out.push_back(std::move(row));
    }
    sqlite3_finalize(raw);
    return out;
}

void load_scopes(store::Database& db, const config::Config& config, StatusReport& report)
{
    Statement st(db, "SELECT s.ip, s.scope, s.state, s.since, s.last_time, s.provider_code, "
                     "s.reason, (SELECT max(id) FROM evidence e WHERE e.scope = s.scope AND "
                     "e.verdict = 'blocked' AND (e.ip = s.ip OR (e.ip = '' AND s.ip = ?))) "
                     "FROM episode_state s ORDER BY s.ip, s.scope");
    st.bind(1, config.default_ip());
    while (st.step()) {
        ScopeStatus s;
        s.ip = st.column_text(0);
        s.scope = st.column_text(1);
        s.state = st.column_text(2);
        s.since = st.column_optional_text(3);
        s.last_evidence = st.column_optional_text(4);
        s.provider_code = st.column_text(5);
        s.reason = st.column_text(6);
        ScopeFacts facts{s.scope, s.state, s.reason, s.provider_code,
                         st.column_optional_int(7).value_or(0)};
        s.action = scope_action(db, config, facts);
        report.scopes.push_back(std::move(s));
    }
}

void load_episodes(store::Database& db, StatusReport& report)
{
    Statement st(db, "SELECT id, ip, scope, opened, closed, reason, codes, evidence_count "
                     "FROM episode ORDER BY opened, ip, scope");
    while (st.step()) {
        EpisodeView e;
        e.id = st.column_int(0);
        e.ip = st.column_text(1);
        e.scope = st.column_text(2);
        e.opened = st.column_text(3);
        e.closed = st.column_optional_text(4);
        e.reason = st.column_text(5);
        e.codes = episodes::codes_from_json(st.column_text(6));
        e.provider_code = e.codes.empty() ? std::string() : e.codes.front();
        e.evidence_count = st.column_int(7);
        report.episodes.push_back(std::move(e));
    }
}

void load_hygiene(store::Database& db, StatusReport& report)
{
    if (!table_exists(db, "hygiene_check")) {
        return; // hygiene_check comes with migration 006
    }
    Statement st(db, "SELECT h.ip, h.time, h.helo, h.mail_from_domain, h.fcrdns, "
                     "h.helo_matches, h.spf_result, h.dmarc_present, h.dmarc_policy, h.all_ok, "
                     "h.unknown, h.detail FROM hygiene_check h WHERE h.id = (SELECT max(id) "
                     "FROM hygiene_check x WHERE x.ip = h.ip) ORDER BY h.ip");
    while (st.step()) {
        json detail = json::parse(st.column_text(11), nullptr, false);
        report.hygiene.push_back({{"ip", st.column_text(0)},
                                  {"time", st.column_text(1)},
                                  {"helo", st.column_text(2)},
                                  {"mail_from_domain", st.column_text(3)},
                                  {"fcrdns", st.column_int(4) != 0},
                                  {"helo_matches_ptr", st.column_int(5) != 0},
                                  {"spf", st.column_text(6)},
                                  {"dmarc_present", st.column_int(7) != 0},
                                  {"dmarc_policy", st.column_text(8)},
                                  {"all_ok", st.column_int(9) != 0},
                                  {"unknown", st.column_int(10) != 0},
                                  {"detail", detail.is_discarded() ? json(nullptr) : detail}});
    }
}

void load_notes(store::Database& db, StatusReport& report)
{
    Statement st(db, "SELECT id, time, coalesce(ip, ''), coalesce(scope, ''), text FROM note "
                     "ORDER BY time, id");
    while (st.step()) {
        report.notes.push_back({st.column_int(0), st.column_text(1), st.column_text(2),
                                st.column_text(3), st.column_text(4)});
    }
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
    return std::any_of(scopes.begin(), scopes.end(),
                       [](const ScopeStatus& s) { return s.state == "blocked"; });
}

StatusReport load_status(store::Database& db, const config::Config& config)
{
    episodes::update_episodes(db, {config.episodes, config.default_ip()});
    StatusReport report;
    load_scopes(db, config, report);
    load_episodes(db, report);
    report.findings = load_findings(db);
    load_notes(db, report);
    load_hygiene(db, report);
    return report;
}

json status_json(const StatusReport& report)
{
    json scopes = json::array();
    for (const ScopeStatus& s : report.scopes) {
        scopes.push_back({{"ip", s.ip},
                          {"scope", s.scope},
                          {"state", s.state},
                          {"since", optional_text(s.since)},
                          {"last_evidence", optional_text(s.last_evidence)},
                          {"provider_code", s.provider_code},
                          {"reason", s.reason},
                          {"action", s.action}});
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
    json notes = json::array();
    for (const NoteView& n : report.notes) {
        notes.push_back({{"time", n.time}, {"ip", n.ip}, {"scope", n.scope}, {"text", n.text}});
    }
    return json{{"scopes", scopes},
                {"episodes", episodes},
                {"findings", report.findings},
                {"notes", notes},
                {"hygiene", report.hygiene}};
}

void print_status(std::ostream& out, const StatusReport& report)
{
    if (report.scopes.empty()) {
        out << "No evidence yet: run `smtpprobe run` (or ingest logs/bounces) first.\n";
    } else {
        out << std::left << std::setw(17) << "IP" << std::setw(34) << "SCOPE" << std::setw(9)
            << "STATE" << std::setw(22) << "SINCE" << std::setw(22) << "LAST EVIDENCE"
            << std::setw(10) << "CODE"
            << "ACTION\n";
        for (const ScopeStatus& s : report.scopes) {
            out << std::left << std::setw(16) << printable(ip_label(s.ip), 40) << " "
                << std::setw(33) << printable(s.scope, 60) << " " << std::setw(8) << s.state << " "
                << std::setw(21) << cell(s.since) << " " << std::setw(21) << cell(s.last_evidence)
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
    if (!report.findings.empty()) {
        out << "\nFindings:\n";
        // A finding is a row of the finding table: time, kind, queue id and what the log said.
        auto text = [](const json& f, const char* key) {
            const json& v = f.contains(key) ? f[key] : json();
            return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump());
        };
        for (const json& f : report.findings) {
            std::string kind = text(f, "kind");
            out << "  " << printable(text(f, "time"), 40) << "  " << printable(kind, 40);
            if (std::string queue = text(f, "queue_id"); !queue.empty()) {
                out << "  queue " << printable(queue, 60);
            }
            out << "  " << printable(text(f, "detail"), 300);
            if (std::string action = text(f, "action"); !action.empty()) {
                out << "\n    what to do: " << printable(action, 600);
            }
            if (kind == "backscatter") {
                out << "\n    our server sent a delivery notification to a sender it did not "
                       "verify;"
                       " run smtpprobe --dsn-test against your MX and follow its advice";
            }
            out << "\n";
        }
    }
    if (!report.hygiene.empty()) {
        out << "\nSender hygiene:\n";
        for (const json& h : report.hygiene) {
            auto yes = [&](const char* key) { return h.value(key, false) ? "yes" : "NO"; };
            out << "  " << printable(h.value("ip", ""), 40) << "  checked " << h.value("time", "")
                << "  FCrDNS " << yes("fcrdns") << ", HELO matches PTR " << yes("helo_matches_ptr")
                << ", SPF " << printable(h.value("spf", ""), 20) << ", DMARC "
                << (h.value("dmarc_present", false)
                        ? "p=" + printable(h.value("dmarc_policy", ""), 20)
                        : std::string("missing"))
                << (h.value("unknown", false) ? " (some lookups failed)" : "") << "\n";
        }
    }
    if (!report.notes.empty()) {
        out << "\nNotes:\n";
        for (const NoteView& n : report.notes) {
            out << "  " << n.time << "  " << printable(ip_label(n.ip), 40) << "  "
                << printable(n.scope.empty() ? std::string("-") : n.scope, 60) << "  "
                << printable(n.text, 1000) << "\n";
        }
    }
}

std::int64_t add_note(store::Database& db, const std::string& ip, const std::string& scope,
                      const std::string& text)
{
    db.prepare("INSERT INTO note(time, ip, scope, text) VALUES (?, ?, ?, ?)")
        .bind(1, iso_utc(now()))
        .bind(2, ip)
        .bind(3, scope)
        .bind(4, text)
        .run();
    return db.last_insert_id();
}

} // namespace smtpprobe::monitor
