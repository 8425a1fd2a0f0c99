// /api/dnsbl (latest answer per IP and zone, plus recent listings), /api/ingest (what the
// ingesters stored: counts per source and the file cursors) and /api/hygiene (sender hygiene
// results, when the database has them).
#include "monitor/evidence/state_query.hpp"
#include "monitor/store/attention_rows.hpp"
#include "monitor/store/hygiene_rows.hpp"
#include "monitor/store/source_views.hpp"
#include "web/api/api.hpp"

#include <map>

namespace smtpprobe::web {
namespace {

Json dnsbl_row(const store::DnsblCheckView& row)
{
    return Json{{"id", row.id},
                {"time", row.time},
                {"ip", row.ip},
                {"zone", row.zone},
                {"result", row.result},
                {"codes", json_document(row.codes)},
                {"txt", json_or_null(row.txt)},
                {"meaning", json_or_null(row.meaning)}};
}

// A count per value of one column: {"value": n}, "(none)" for NULL.
Json grouped_counts(Database& db, store::Grouped which)
{
    Json out = Json::object();
    for (const store::GroupedCount& row : store::read_grouped_counts(db, which)) {
        out[row.key.value_or("(none)")] = row.count;
    }
    return out;
}

// "" as null: the writer stores empty optional text as NULL (store::HygieneRow).
Json text_or_null(const std::string& text)
{
    return text.empty() ? Json(nullptr) : Json(text);
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
    Json current = Json::array();
    for (const store::DnsblCheckView& row : store::read_latest_dnsbl(db, ip, zone)) {
        current.push_back(dnsbl_row(row));
    }
    Json listings = Json::array();
    for (const store::DnsblCheckView& row : store::read_dnsbl_listings(db, ip, zone, limit)) {
        listings.push_back(dnsbl_row(row));
    }
    add_listing_history(db, config, current);
    return Json{{"latest", current}, {"listings", listings}};
}

Json api_ingest(Database& db, const Query& query)
{
    query.allow_only({});
    Json out;
    out["deliveries"] = grouped_counts(db, store::Grouped::deliveries_by_mta);
    out["delivery_reasons"] = grouped_counts(db, store::Grouped::deliveries_by_reason);
    out["bounces"] = grouped_counts(db, store::Grouped::bounces_by_kind);
    out["bounce_reasons"] = grouped_counts(db, store::Grouped::bounces_by_reason);
    // Observations, not rows: a clear row of log ingestion counts several successes (009).
    out["evidence"] = grouped_counts(db, store::Grouped::evidence_observations_by_source);
    out["evidence_verdicts"] = grouped_counts(db, store::Grouped::evidence_observations_by_verdict);
    out["probe_runs"] = grouped_counts(db, store::Grouped::probe_runs_by_outcome);
    out["dnsbl_checks"] = grouped_counts(db, store::Grouped::dnsbl_checks_by_result);
    Json files = Json::array();
    for (const store::IngestCursorRow& cursor : store::read_ingest_cursors(db)) {
        files.push_back(Json{{"node", cursor.node},
                             {"path", cursor.path},
                             {"identity", cursor.identity},
                             {"offset", cursor.offset},
                             {"updated_at", cursor.updated_at}});
    }
    out["files"] = std::move(files);
    if (table_exists(db, "finding")) {
        out["findings"] = grouped_counts(db, store::Grouped::findings_by_kind);
        Json rows = Json::array();
        for (const store::RecentFinding& f : store::read_recent_findings(db, 20)) {
            rows.push_back(Json{{"id", f.id},
                                {"time", f.time},
                                {"kind", f.kind},
                                {"host", json_or_null(f.host)},
                                {"queue_id", json_or_null(f.queue_id)},
                                {"detail", json_or_null(f.detail)}});
        }
        out["recent_findings"] = std::move(rows);
    }
    out["last_delivery_time"] = json_or_null(store::last_delivery_time(db));
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
    for (const store::HygieneRow& h : store::read_latest_hygiene(db)) {
        Json time = h.time;
        auto check = [&](std::string subject, const char* name, std::string result, Json detail) {
            out["checks"].push_back(Json{{"time", time},
                                         {"ip", h.ip},
                                         {"subject", std::move(subject)},
                                         {"check", name},
                                         {"result", std::move(result)},
                                         {"detail", std::move(detail)}});
        };
        auto result = [&h](bool passed) {
            return passed ? "pass" : (h.unknown ? "unknown" : "fail");
        };
        check(h.ip, "PTR resolves back to the IP (FCrDNS)", result(h.fcrdns),
              text_or_null(h.ptr_detail));
        check(h.ip + " / " + h.helo, "HELO name is a forward-confirmed PTR name",
              result(h.helo_matches), text_or_null(h.ptr_detail));
        check(h.mail_from_domain, "SPF authorises the IP", h.spf, text_or_null(h.spf_detail));
        check(h.mail_from_domain, "DMARC record present", result(h.dmarc_present),
              h.dmarc_policy.empty() ? text_or_null(h.dmarc_detail) : Json("p=" + h.dmarc_policy));
    }
    return out;
}

} // namespace smtpprobe::web
