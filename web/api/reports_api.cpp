// /api/reports: the receivers' own view (issue 19) for the reports page: DMARC messages
// reported per day, receiver scope and source IP with their DMARC pass rate, beside the block
// episodes of the same IP and scope; the latest DMARC reports; TLS-RPT policies with their
// failures; the SNDS signals per IP and day and the latest status ranges. Also the timeline's
// lane items from reports (report_lane_items). Filters: ip, scope, a window [from, to].
// Tables of migration 016 may be absent in an older database: their parts are then empty.
#include "monitor/ingest/reports/report_evidence.hpp"
#include "web/api/api.hpp"

namespace smtpprobe::web {

namespace {

struct Window {
    std::optional<std::string> ip;
    std::optional<std::string> scope;
    std::string from;
    std::string to;
};

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

void bind_window(store::Statement& st, const Window& w)
{
    st.bind(":ip", w.ip);
    st.bind(":scope", w.scope);
    st.bind(":from", w.from);
    st.bind(":to", w.to);
}

Json dmarc_per_day(Database& db, const Window& w, std::int64_t limit)
{
    auto st = db.prepare(
        "SELECT substr(r.begin_time, 1, 10) AS day, r.scope, c.source_ip, c.ours, "
        "sum(c.count), sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN c.count ELSE 0 END), "
        "count(DISTINCT r.id) FROM dmarc_record c JOIN dmarc_report r ON r.id = c.report "
        "WHERE (:ip IS NULL OR c.source_ip = :ip) AND (:scope IS NULL OR r.scope = :scope) "
        "AND r.begin_time >= :from AND r.begin_time <= :to "
        "GROUP BY day, r.scope, c.source_ip ORDER BY day DESC, r.scope, c.source_ip "
        "LIMIT :limit");
    bind_window(st, w);
    st.bind(":limit", limit);
    Json out = Json::array();
    while (st.step()) {
        const std::int64_t messages = st.column_int(4);
        const std::int64_t passed = st.column_int(5);
        out.push_back({{"day", st.column_text(0)},
                       {"scope", st.column_text(1)},
                       {"ip", st.column_text(2)},
                       {"ours", st.column_int(3) != 0},
                       {"messages", messages},
                       {"passed", passed},
                       {"pass_rate", messages > 0 ? static_cast<double>(passed) / messages : 0.0},
                       {"reports", st.column_int(6)}});
    }
    return out;
}

Json dmarc_reports(Database& db, const Window& w, std::int64_t limit)
{
    auto st = db.prepare("SELECT id, org, report_id, begin_time, end_time, scope, format, "
                         "policy_domain, p, records, messages, notes FROM dmarc_report "
                         "WHERE (:scope IS NULL OR scope = :scope) AND begin_time >= :from AND "
                         "begin_time <= :to AND (:ip IS NULL OR EXISTS (SELECT 1 FROM "
                         "dmarc_record c WHERE c.report = dmarc_report.id AND c.source_ip = :ip)) "
                         "ORDER BY begin_time DESC, id DESC LIMIT :limit");
    bind_window(st, w);
    st.bind(":limit", limit);
    Json out = Json::array();
    while (st.step()) {
        out.push_back({{"id", st.column_int(0)},
                       {"org", st.column_text(1)},
                       {"report_id", st.column_text(2)},
                       {"begin", st.column_text(3)},
                       {"end", st.column_text(4)},
                       {"scope", st.column_text(5)},
                       {"format", st.column_text(6)},
                       {"policy_domain", column_json_text(st, 7)},
                       {"p", column_json_text(st, 8)},
                       {"records", st.column_int(9)},
                       {"messages", st.column_int(10)},
                       {"notes", column_json_document(st, 11)}});
    }
    return out;
}

Json tls_policies(Database& db, const Window& w, std::int64_t limit)
{
    auto st = db.prepare("SELECT r.organization, r.report_id, r.start_time, r.end_time, "
                         "p.policy_domain, p.policy_type, p.mx_host, p.successful, p.failed, "
                         "p.failures FROM tlsrpt_policy p JOIN tlsrpt_report r ON r.id = p.report "
                         "WHERE r.start_time >= :from AND r.start_time <= :to "
                         "ORDER BY r.start_time DESC, p.id LIMIT :limit");
    // About our inbound MX: not filtered by sending IP or receiver scope.
    st.bind(":from", w.from);
    st.bind(":to", w.to);
    st.bind(":limit", limit);
    Json out = Json::array();
    while (st.step()) {
        out.push_back({{"organization", st.column_text(0)},
                       {"report_id", st.column_text(1)},
                       {"begin", st.column_text(2)},
                       {"end", st.column_text(3)},
                       {"policy_domain", column_json_text(st, 4)},
                       {"policy_type", column_json_text(st, 5)},
                       {"mx_host", column_json_document(st, 6)},
                       {"successful", st.column_int(7)},
                       {"failed", st.column_int(8)},
                       {"failure_details", column_json_document(st, 9)}});
    }
    return out;
}

Json snds_data(Database& db, const Window& w, std::int64_t limit)
{
    auto st =
        db.prepare("SELECT ip, start_time, end_time, rcpt_commands, data_commands, "
                   "recipients, filter, complaint_rate, complaint_percent, trap_hits, "
                   "sample_helo, sample_mail_from FROM snds_data "
                   "WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS NULL OR :scope = :snds_scope) "
                   "AND start_time >= :from AND "
                   "start_time <= :to ORDER BY start_time DESC, ip LIMIT :limit");
    bind_window(st, w);
    st.bind(":snds_scope", ingest::k_outlook_com_scope);
    st.bind(":limit", limit);
    Json out = Json::array();
    while (st.step()) {
        out.push_back(
            {{"ip", st.column_text(0)},
             {"start", st.column_text(1)},
             {"end", column_json_text(st, 2)},
             {"rcpt_commands", st.column_int(3)},
             {"data_commands", st.column_int(4)},
             {"recipients", st.column_int(5)},
             {"filter", column_json_text(st, 6)},
             {"complaint_rate", column_json_text(st, 7)},
             {"complaint_percent", st.is_null(8) ? Json(nullptr) : Json(st.column_double(8))},
             {"trap_hits", st.column_int(9)},
             {"sample_helo", column_json_text(st, 10)},
             {"sample_mail_from", column_json_text(st, 11)}});
    }
    return out;
}

Json snds_latest(Database& db)
{
    // The latest fetch of each feed (the source never holds the key), and the ranges of the
    // latest status read.
    Json fetches = Json::array();
    auto st = db.prepare("SELECT feed, max(time), source, outcome, detail, rows, malformed "
                         "FROM snds_fetch GROUP BY feed ORDER BY feed");
    while (st.step()) {
        fetches.push_back({{"feed", st.column_text(0)},
                           {"time", st.column_text(1)},
                           {"source", st.column_text(2)},
                           {"outcome", st.column_text(3)},
                           {"detail", column_json_text(st, 4)},
                           {"rows", st.column_int(5)},
                           {"malformed", st.column_int(6)}});
    }
    Json ranges = Json::array();
    auto rs = db.prepare("SELECT first_ip, last_ip, blocked, reason FROM snds_status WHERE "
                         "fetch = (SELECT max(fetch) FROM snds_status) ORDER BY id");
    while (rs.step()) {
        ranges.push_back({{"first_ip", rs.column_text(0)},
                          {"last_ip", rs.column_text(1)},
                          {"blocked", rs.column_int(2) != 0},
                          {"reason", column_json_text(rs, 3)}});
    }
    return Json{{"fetches", fetches}, {"status", ranges}};
}

Json episodes_beside(Database& db, const Window& w)
{
    auto st = db.prepare("SELECT ip, scope, opened, closed, reason FROM episode "
                         "WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS NULL OR scope = :scope) "
                         "AND opened <= :to AND (closed IS NULL OR closed >= :from) "
                         "ORDER BY opened LIMIT 1000");
    bind_window(st, w);
    Json out = Json::array();
    while (st.step()) {
        out.push_back({{"ip", st.column_text(0)},
                       {"scope", st.column_text(1)},
                       {"opened", st.column_text(2)},
                       {"closed", column_json_text(st, 3)},
                       {"reason", column_json_text(st, 4)}});
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
    auto dmarc = db.prepare(
        "SELECT r.begin_time, r.end_time, c.source_ip, r.scope, r.org, sum(c.count), "
        "sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN c.count ELSE 0 END), r.id "
        "FROM dmarc_record c JOIN dmarc_report r ON r.id = c.report WHERE c.ours = 1 "
        "AND (:ip IS NULL OR c.source_ip = :ip) AND (:scope IS NULL OR r.scope = :scope) "
        "AND r.begin_time >= :from AND r.begin_time <= :to "
        "GROUP BY r.id, c.source_ip ORDER BY r.begin_time LIMIT :limit");
    bind_window(dmarc, w);
    dmarc.bind(":limit", limit);
    while (dmarc.step()) {
        out.push_back({{"kind", "dmarc"},
                       {"time", dmarc.column_text(0)},
                       {"end", dmarc.column_text(1)},
                       {"ip", dmarc.column_text(2)},
                       {"scope", dmarc.column_text(3)},
                       {"reporter", dmarc.column_text(4)},
                       {"messages", dmarc.column_int(5)},
                       {"passed", dmarc.column_int(6)},
                       {"report", dmarc.column_int(7)}});
    }
    // One item per SNDS data row of an IP: its signals for the period.
    auto snds =
        db.prepare("SELECT start_time, end_time, ip, filter, complaint_rate, trap_hits, recipients "
                   "FROM snds_data WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS NULL OR :scope = "
                   ":snds_scope) AND start_time >= :from AND start_time <= :to "
                   "ORDER BY start_time LIMIT :limit");
    bind_window(snds, w);
    snds.bind(":snds_scope", ingest::k_outlook_com_scope);
    snds.bind(":limit", limit);
    while (snds.step()) {
        out.push_back({{"kind", "snds"},
                       {"time", snds.column_text(0)},
                       {"end", column_json_text(snds, 1)},
                       {"ip", snds.column_text(2)},
                       {"scope", ingest::k_outlook_com_scope},
                       {"filter", column_json_text(snds, 3)},
                       {"complaint_rate", column_json_text(snds, 4)},
                       {"trap_hits", snds.column_int(5)},
                       {"recipients", snds.column_int(6)}});
    }
    return out;
}

} // namespace smtpprobe::web
