// /api/status (cheap: answered thousands of times a second) and /api/overview (the matrix of
// sending IP x receiver scope with the current state, since when, code and action).
#include "web/api/api.hpp"
#include "web/api/explanation.hpp"

#include <map>
#include <set>

namespace smtpprobe::web {

Json api_status(Database& db, const Query& query)
{
    query.allow_only({});
    Json out{{"version", SMTPPROBE_VERSION}, {"now", utc_now()}};
    out["schema_version"] = db.schema_version();
    {
        auto stmt = db.prepare("SELECT count(*), min(opened) FROM episode WHERE closed IS NULL");
        stmt.step();
        out["open_episodes"] = stmt.column_int(0);
        out["oldest_open_episode"] = column_json_text(stmt, 1);
    }
    {
        // Two statements: SQLite answers a lone max() from an index end, but scans the
        // whole table for max(a), max(b) together.
        // The latest observation: a row's last_time is in the hour of its time (schema 009),
        // so only rows from the hour of the newest time can hold a later one.
        auto last_time =
            db.prepare("SELECT max(coalesce(last_time, time)) FROM evidence WHERE time >= "
                       "substr((SELECT max(time) FROM evidence), 1, 13)");
        last_time.step();
        out["last_evidence_time"] = column_json_text(last_time, 0);
        auto last_id = db.prepare("SELECT max(id) FROM evidence");
        last_id.step();
        out["last_evidence_id"] = column_json_int(last_id, 0);
    }
    {
        auto stmt = db.prepare("SELECT id, started_at, target, outcome FROM probe_run "
                               "ORDER BY started_at DESC, id DESC LIMIT 1");
        out["last_probe"] = nullptr;
        if (stmt.step()) {
            out["last_probe"] = Json{{"id", stmt.column_int(0)},
                                     {"started_at", column_json_text(stmt, 1)},
                                     {"target", column_json_text(stmt, 2)},
                                     {"outcome", column_json_text(stmt, 3)}};
        }
    }
    return out;
}

Json api_overview(Database& db, const Query& query)
{
    query.allow_only({});
    std::map<std::pair<std::string, std::string>, Json> cells;
    std::set<std::pair<std::string, std::string>> folded; // pairs the monitor's state covers
    if (table_exists(db, "episode_state")) {
        // The monitor keeps the current state per pair (schema 005): no scan of the evidence.
        auto current = db.prepare(
            "SELECT s.ip, s.scope, s.state, s.since, s.last_time, s.last_id, s.last_verdict, "
            "s.provider_code, s.reason, s.episode_id, e.source_kind, e.source_id "
            "FROM episode_state s LEFT JOIN evidence e ON e.id = s.last_id");
        while (current.step()) {
            Json cell{{"ip", current.column_text(0)},
                      {"scope", current.column_text(1)},
                      {"state", current.column_text(2)},
                      {"since", column_json_text(current, 3)},
                      {"last_evidence_time", current.column_text(4)},
                      {"evidence_id", current.column_int(5)},
                      {"last_verdict", current.column_text(6)},
                      {"provider_code", column_json_text(current, 7)},
                      {"reason", column_json_text(current, 8)},
                      {"episode_id", column_json_int(current, 9)},
                      {"explanation", nullptr}};
            if (!current.is_null(10)) {
                cell["explanation"] = explain_source(
                    evidence_source(db, current.column_text(10), current.column_int(11)));
            }
            folded.insert({current.column_text(0), current.column_text(1)});
            cells[{current.column_text(0), current.column_text(1)}] = std::move(cell);
        }
    }
    // Pairs the monitor has not folded yet (or an older database): from the evidence.
    // The latest evidence per pair (SQLite takes the bare columns from the max(time) row).
    auto latest = db.prepare(
        "SELECT ip, scope, max(coalesce(last_time, time)), verdict, reason, provider_code, id, "
        "source_kind, source_id FROM evidence GROUP BY ip, scope");
    while (latest.step()) {
        if (cells.count({latest.column_text(0), latest.column_text(1)})) {
            continue;
        }
        Json cell{{"ip", latest.column_text(0)},
                  {"scope", latest.column_text(1)},
                  {"last_evidence_time", latest.column_text(2)},
                  {"last_verdict", latest.column_text(3)},
                  {"state", latest.column_text(3)},
                  {"since", nullptr},
                  {"reason", column_json_text(latest, 4)},
                  {"provider_code", column_json_text(latest, 5)},
                  {"evidence_id", latest.column_int(6)},
                  {"episode_id", nullptr},
                  {"explanation", nullptr}};
        Json source = evidence_source(db, latest.column_text(7), latest.column_int(8));
        cell["explanation"] = explain_source(source);
        cells[{latest.column_text(0), latest.column_text(1)}] = std::move(cell);
    }
    // An open episode says "blocked since"; the last closed one says "clear since".
    auto episodes = db.prepare("SELECT ip, scope, id, opened, closed, reason, codes FROM episode "
                               "ORDER BY opened");
    while (episodes.step()) {
        auto key = std::make_pair(episodes.column_text(0), episodes.column_text(1));
        if (folded.count(key)) {
            continue;
        }
        Json& cell = cells[key];
        if (cell.is_null()) {
            cell = Json{{"ip", key.first},
                        {"scope", key.second},
                        {"state", "unknown"},
                        {"last_verdict", nullptr},
                        {"last_evidence_time", nullptr},
                        {"reason", nullptr},
                        {"provider_code", nullptr},
                        {"evidence_id", nullptr},
                        {"explanation", nullptr}};
        }
        cell["episode_id"] = episodes.column_int(2);
        if (episodes.is_null(4)) {
            cell["state"] = "blocked";
            cell["since"] = episodes.column_text(3);
            cell["reason"] = column_json_text(episodes, 5);
            Json codes = column_json_document(episodes, 6);
            if (codes.is_array() && !codes.empty() && cell["provider_code"].is_null()) {
                cell["provider_code"] = codes.back();
            }
        } else {
            cell["since"] = episodes.column_text(4);
            if (cell["state"] == "blocked") {
                cell["state"] = "clear";
            }
        }
    }
    Json rows = Json::array();
    std::map<std::string, int> ips;
    std::map<std::string, int> scopes;
    for (auto& [key, cell] : cells) {
        ips[key.first] = 1;
        scopes[key.second] = 1;
        rows.push_back(std::move(cell));
    }
    Json ip_list = Json::array();
    Json scope_list = Json::array();
    for (const auto& item : ips) {
        ip_list.push_back(item.first);
    }
    for (const auto& item : scopes) {
        scope_list.push_back(item.first);
    }
    return Json{{"ips", ip_list}, {"scopes", scope_list}, {"cells", rows}, {"now", utc_now()}};
}

} // namespace smtpprobe::web
