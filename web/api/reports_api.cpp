// /api/reports: the receivers' own view (issue 19) for the reports page: DMARC messages
// reported per day, receiver scope and source IP with their DMARC pass rate, beside the block
// episodes of the same IP and scope; the latest DMARC reports; TLS-RPT policies with their
// failures; the SNDS signals per IP and day and the latest status ranges. Also the timeline's
// lane items from reports (report_lane_items). Filters: ip, scope, a window [from, to].
// Tables of migration 016 may be absent in an older database: their parts are then empty.
#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/store/report_views.hpp"
#include "monitor/store/timeline_rows.hpp"
#include "web/api/api.hpp"

namespace smtpprobe::web {

namespace {

using Window = store::TimeWindow;

Window read_window(const Query& query)
{
    Window w;
    w.ip = query.ip("ip");
    w.scope = query.scope("scope");
    w.from = query.time("from").value_or("0000-01-01T00:00:00Z");
    w.to = query.time("to").value_or("9999-12-31T23:59:59Z");
    if (w.from > w.to) {
        throw BadRequest("parameter 'from' is after 'to'");
    }
    return w;
}

Json dmarc_per_day(Database& db, const Window& w, std::int64_t limit)
{
    Json out = Json::array();
    for (const store::DmarcDayRow& row : store::read_dmarc_per_day(db, w, limit)) {
        out.push_back(
            {{"day", row.day},
             {"scope", row.scope},
             {"ip", row.ip},
             {"ours", row.ours},
             {"messages", row.messages},
             {"passed", row.passed},
             {"pass_rate", row.messages > 0 ? static_cast<double>(row.passed) / row.messages : 0.0},
             {"reports", row.reports}});
    }
    return out;
}

Json dmarc_reports(Database& db, const Window& w, std::int64_t limit)
{
    Json out = Json::array();
    for (const store::DmarcReportView& r : store::read_dmarc_reports(db, w, limit)) {
        out.push_back({{"id", r.id},
                       {"org", r.org},
                       {"report_id", r.report_id},
                       {"begin", r.begin},
                       {"end", r.end},
                       {"scope", r.scope},
                       {"format", r.format},
                       {"policy_domain", json_or_null(r.policy_domain)},
                       {"p", json_or_null(r.p)},
                       {"records", r.records},
                       {"messages", r.messages},
                       {"notes", json_document(r.notes)}});
    }
    return out;
}

Json tls_policies(Database& db, const Window& w, std::int64_t limit)
{
    // About our inbound MX: not filtered by sending IP or receiver scope.
    Json out = Json::array();
    for (const store::TlsPolicyView& p : store::read_tls_policies(db, w.from, w.to, limit)) {
        out.push_back({{"organization", p.organization},
                       {"report_id", p.report_id},
                       {"begin", p.begin},
                       {"end", p.end},
                       {"policy_domain", json_or_null(p.policy_domain)},
                       {"policy_type", json_or_null(p.policy_type)},
                       {"mx_host", json_document(p.mx_host)},
                       {"successful", p.successful},
                       {"failed", p.failed},
                       {"failure_details", json_document(p.failures)}});
    }
    return out;
}

Json snds_data(Database& db, const Window& w, std::int64_t limit)
{
    Json out = Json::array();
    for (const store::SndsDataView& row :
         store::read_snds_data(db, w, ingest::k_outlook_com_scope, limit, true)) {
        out.push_back({{"ip", row.ip},
                       {"start", row.start},
                       {"end", json_or_null(row.end)},
                       {"rcpt_commands", row.rcpt_commands},
                       {"data_commands", row.data_commands},
                       {"recipients", row.recipients},
                       {"filter", json_or_null(row.filter)},
                       {"complaint_rate", json_or_null(row.complaint_rate)},
                       {"complaint_percent",
                        row.complaint_percent ? Json(*row.complaint_percent) : Json(nullptr)},
                       {"trap_hits", row.trap_hits},
                       {"sample_helo", json_or_null(row.sample_helo)},
                       {"sample_mail_from", json_or_null(row.sample_mail_from)}});
    }
    return out;
}

Json snds_latest(Database& db)
{
    // The latest fetch of each feed, and the ranges of the latest status read.
    Json fetches = Json::array();
    for (const store::SndsFetchView& f : store::read_snds_fetches(db)) {
        fetches.push_back({{"feed", f.feed},
                           {"time", f.time},
                           {"source", f.source},
                           {"outcome", f.outcome},
                           {"detail", json_or_null(f.detail)},
                           {"rows", f.rows},
                           {"malformed", f.malformed}});
    }
    Json ranges = Json::array();
    for (const store::SndsRangeView& r : store::read_snds_ranges(db)) {
        ranges.push_back({{"first_ip", r.first_ip},
                          {"last_ip", r.last_ip},
                          {"blocked", r.blocked},
                          {"reason", json_or_null(r.reason)}});
    }
    return Json{{"fetches", fetches}, {"status", ranges}};
}

Json episodes_beside(Database& db, const Window& w)
{
    Json out = Json::array();
    for (const store::WindowEpisodeRow& e : store::read_episodes_in_window(db, w, 1000)) {
        out.push_back({{"ip", e.ip},
                       {"scope", e.scope},
                       {"opened", e.opened},
                       {"closed", json_or_null(e.closed)},
                       {"reason", json_or_null(e.reason)}});
    }
    return out;
}

} // namespace

Json api_reports(Database& db, const Query& query)
{
    query.allow_only({"ip", "scope", "from", "to", "limit"});
    const Window w = read_window(query);
    const std::int64_t limit = query.integer("limit", 200, 1, k_max_page);
    Json out{{"dmarc_per_day", Json::array()}, {"dmarc_reports", Json::array()},
             {"tlsrpt", Json::array()},        {"snds_data", Json::array()},
             {"snds", Json::object()},         {"episodes", episodes_beside(db, w)}};
    if (!table_exists(db, "dmarc_report")) {
        return out;
    }
    out["dmarc_per_day"] = dmarc_per_day(db, w, limit);
    out["dmarc_reports"] = dmarc_reports(db, w, limit);
    out["tlsrpt"] = tls_policies(db, w, limit);
    out["snds_data"] = snds_data(db, w, limit);
    out["snds"] = snds_latest(db);
    return out;
}

Json report_lane_items(Database& db, const std::optional<std::string>& ip,
                       const std::optional<std::string>& scope, const std::string& from,
                       const std::string& to, std::int64_t limit)
{
    Json out = Json::array();
    if (!table_exists(db, "dmarc_report")) {
        return out;
    }
    Window w{ip, scope, from, to};
    // One item per DMARC report and our IP: the messages it counted and how many passed.
    for (const store::DmarcLaneRow& row : store::read_dmarc_lane(db, w, limit)) {
        out.push_back({{"kind", "dmarc"},
                       {"time", row.begin},
                       {"end", row.end},
                       {"ip", row.ip},
                       {"scope", row.scope},
                       {"reporter", row.org},
                       {"messages", row.messages},
                       {"passed", row.passed},
                       {"report", row.report}});
    }
    // One item per SNDS data row of an IP: its signals for the period.
    for (const store::SndsDataView& row :
         store::read_snds_data(db, w, ingest::k_outlook_com_scope, limit, false)) {
        out.push_back({{"kind", "snds"},
                       {"time", row.start},
                       {"end", json_or_null(row.end)},
                       {"ip", row.ip},
                       {"scope", ingest::k_outlook_com_scope},
                       {"filter", json_or_null(row.filter)},
                       {"complaint_rate", json_or_null(row.complaint_rate)},
                       {"trap_hits", row.trap_hits},
                       {"recipients", row.recipients}});
    }
    return out;
}

} // namespace smtpprobe::web
