// /api/dnsbl (latest answer per IP and zone, plus recent listings), /api/ingest (what the
// ingesters stored: counts per source and the file cursors) and /api/hygiene (sender hygiene
// results, when the database has them).
#include "monitor/evidence/state_query.hpp"
#include "monitor/store/attention_rows.hpp"
#include "web/api/api.hpp"

#include <map>

namespace smtpprobe::web {
namespace {

Json dnsbl_row(const store::Statement& stmt)
{
    return Json{{"id", stmt.column_int(0)},         {"time", stmt.column_text(1)},
                {"ip", stmt.column_text(2)},        {"zone", stmt.column_text(3)},
                {"result", stmt.column_text(4)},    {"codes", column_json_document(stmt, 5)},
                {"txt", column_json_text(stmt, 6)}, {"meaning", column_json_text(stmt, 7)}};
}

// count(*) grouped by one column of ours: [{"key": ..., "count": n}].
Json grouped_counts(Database& db, const char* sql)
{
    auto stmt = db.prepare(sql);
    Json out = Json::object();
    while (stmt.step()) {
        out[stmt.is_null(0) ? std::string("(none)") : stmt.column_text(0)] = stmt.column_int(1);
    }
    return out;
}

} // namespace

namespace {

// Adds to each latest answer what the monitor made of the zone for that IP: the state of its
// scope dnsbl/<zone> (the one state query), listed_since (when the open listing began),
// delisted_at (when the last listing ended, while not listed), the zone's name and delist URL
// (config), and the action.
void add_listing_history(Database& db, const config::Config& config, Json& latest)
{
    std::map<std::pair<std::string, std::string>, const evidence::ScopeState*> by_key;
    evidence::StateFilter filter;
    filter.scope = "dnsbl/";
    const evidence::StateSnapshot state = evidence::read_state(db, config, filter);
    for (const evidence::ScopeState& s : state.scopes) {
        by_key[{s.ip, s.scope}] = &s;
    }
    std::map<std::pair<std::string, std::string>, std::string> closed;
    for (const store::ClosedEpisode& e : store::latest_closed_episodes(db, "dnsbl/")) {
        closed[{e.ip, e.scope}] = e.closed;
    }
    for (Json& row : latest) {
        const std::string ip = row["ip"].get<std::string>();
        const std::string zone = row["zone"].get<std::string>();
        const std::pair<std::string, std::string> key{ip, "dnsbl/" + zone};
        row["zone_name"] = nullptr;
        row["delist_url"] = nullptr;
        for (const config::DnsblZone& z : config.dnsbl.zones) {
            if (z.zone == zone) {
                row["zone_name"] = z.name;
                row["delist_url"] = z.delist_url.empty() ? Json(nullptr) : Json(z.delist_url);
            }
        }
        auto found = by_key.find(key);
        const evidence::ScopeState* s = found == by_key.end() ? nullptr : found->second;
        bool listed = s != nullptr && s->state == evidence::Verdict::blocked;
        row["state"] = s == nullptr ? Json(nullptr) : Json(evidence::name(s->state));
        row["listed_since"] = listed && s->since ? Json(*s->since) : Json(nullptr);
        auto ended = closed.find(key);
        row["delisted_at"] = !listed && ended != closed.end() ? Json(ended->second) : Json(nullptr);
        row["action"] = s == nullptr ? Json(nullptr) : Json(s->action);
    }
}

} // namespace

Json api_dnsbl(Database& db, const config::Config& config, const Query& query)
{
    query.allow_only({"ip", "zone", "limit"});
    auto ip = query.ip("ip");
    auto zone = query.scope("zone");
    std::int64_t limit = query.integer("limit", 100, 1, k_max_page);
    // The latest check per (ip, zone): SQLite takes the bare columns from the max(time) row.
    auto latest =
        db.prepare("SELECT id, max(time), ip, zone, result, codes, txt, meaning FROM dnsbl_check "
                   "WHERE (:ip IS NULL OR ip = :ip) AND (:zone IS NULL OR zone = :zone) "
                   "GROUP BY ip, zone ORDER BY ip, zone");
    latest.bind(":ip", ip);
    latest.bind(":zone", zone);
    Json current = Json::array();
    while (latest.step()) {
        current.push_back(dnsbl_row(latest));
    }
    auto history =
        db.prepare("SELECT id, time, ip, zone, result, codes, txt, meaning FROM dnsbl_check "
                   "WHERE (:ip IS NULL OR ip = :ip) AND (:zone IS NULL OR zone = :zone) "
                   "AND result = 'listed' ORDER BY id DESC LIMIT :limit");
    history.bind(":ip", ip);
    history.bind(":zone", zone);
    history.bind(":limit", limit);
    Json listings = Json::array();
    while (history.step()) {
        listings.push_back(dnsbl_row(history));
    }
    add_listing_history(db, config, current);
    return Json{{"latest", current}, {"listings", listings}};
}

Json api_ingest(Database& db, const Query& query)
{
    query.allow_only({});
    Json out;
    out["deliveries"] = grouped_counts(db, "SELECT mta, count(*) FROM delivery GROUP BY mta");
    out["delivery_reasons"] =
        grouped_counts(db, "SELECT reason, count(*) FROM delivery GROUP BY reason");
    out["bounces"] = grouped_counts(db, "SELECT kind, count(*) FROM bounce GROUP BY kind");
    out["bounce_reasons"] =
        grouped_counts(db, "SELECT reason, count(*) FROM bounce GROUP BY reason");
    // Observations, not rows: a clear row of log ingestion counts several successes (009).
    out["evidence"] = grouped_counts(
        db, "SELECT source_kind, sum(observations) FROM evidence GROUP BY source_kind");
    out["evidence_verdicts"] =
        grouped_counts(db, "SELECT verdict, sum(observations) FROM evidence GROUP BY verdict");
    out["probe_runs"] =
        grouped_counts(db, "SELECT outcome, count(*) FROM probe_run GROUP BY outcome");
    out["dnsbl_checks"] =
        grouped_counts(db, "SELECT result, count(*) FROM dnsbl_check GROUP BY result");
    auto cursors =
        db.prepare("SELECT path, identity, offset, updated_at FROM ingest_cursor ORDER BY path");
    Json files = Json::array();
    while (cursors.step()) {
        files.push_back(Json{{"path", cursors.column_text(0)},
                             {"identity", cursors.column_text(1)},
                             {"offset", cursors.column_int(2)},
                             {"updated_at", cursors.column_text(3)}});
    }
    out["files"] = std::move(files);
    if (table_exists(db, "finding")) {
        out["findings"] = grouped_counts(db, "SELECT kind, count(*) FROM finding GROUP BY kind");
        auto recent = db.prepare("SELECT id, time, kind, host, queue_id, detail FROM finding "
                                 "ORDER BY id DESC LIMIT 20");
        Json rows = Json::array();
        while (recent.step()) {
            rows.push_back(Json{{"id", recent.column_int(0)},
                                {"time", recent.column_text(1)},
                                {"kind", recent.column_text(2)},
                                {"host", column_json_text(recent, 3)},
                                {"queue_id", column_json_text(recent, 4)},
                                {"detail", column_json_text(recent, 5)}});
        }
        out["recent_findings"] = std::move(rows);
    }
    auto last = db.prepare("SELECT max(time) FROM delivery");
    last.step();
    out["last_delivery_time"] = column_json_text(last, 0);
    return out;
}

Json api_hygiene(Database& db, const Query& query)
{
    query.allow_only({});
    Json out{{"available", false}, {"checks", Json::array()}};
    // hygiene_check comes with migration 006; serve opens older histories read-only as they are.
    if (!table_exists(db, "hygiene_check")) {
        return out;
    }
    out["available"] = true;
    // The newest check of each sending IP, as one row per check (PTR, HELO, SPF, DMARC).
    auto stmt = db.prepare(
        "SELECT h.time, h.ip, h.helo, h.mail_from_domain, h.fcrdns, h.helo_matches, h.ptr_detail,"
        " h.spf_result, h.spf_detail, h.dmarc_present, h.dmarc_policy, h.dmarc_detail, h.unknown"
        " FROM hygiene_check h WHERE h.id = (SELECT max(x.id) FROM hygiene_check x"
        " WHERE x.ip = h.ip) ORDER BY h.ip");
    while (stmt.step()) {
        Json time = column_json_text(stmt, 0);
        std::string ip = stmt.column_text(1);
        std::string helo = stmt.column_text(2);
        std::string domain = stmt.column_text(3);
        auto check = [&](std::string subject, const char* name, std::string result, Json detail) {
            out["checks"].push_back(Json{{"time", time},
                                         {"ip", ip},
                                         {"subject", std::move(subject)},
                                         {"check", name},
                                         {"result", std::move(result)},
                                         {"detail", std::move(detail)}});
        };
        bool unknown = stmt.column_int(12) != 0;
        check(ip, "PTR resolves back to the IP (FCrDNS)",
              stmt.column_int(4) ? "pass" : (unknown ? "unknown" : "fail"),
              column_json_text(stmt, 6));
        check(ip + " / " + helo, "HELO name is a forward-confirmed PTR name",
              stmt.column_int(5) ? "pass" : (unknown ? "unknown" : "fail"),
              column_json_text(stmt, 6));
        check(domain, "SPF authorises the IP", stmt.column_text(7), column_json_text(stmt, 8));
        check(domain, "DMARC record present",
              stmt.column_int(9) ? "pass" : (unknown ? "unknown" : "fail"),
              stmt.is_null(10) ? column_json_text(stmt, 11) : Json("p=" + stmt.column_text(10)));
    }
    return out;
}

} // namespace smtpprobe::web
