// The receivers' reports SQL as the web reads it (see report_views.hpp).
#include "monitor/store/report_views.hpp"

namespace smtpprobe::store {

std::vector<DmarcDayRow> read_dmarc_per_day(Database& db, const TimeWindow& window,
                                            std::int64_t limit)
{
    Statement st(
        db,
        "SELECT substr(r.begin_time, 1, 10) AS day, r.scope, c.source_ip, c.ours, "
        "sum(c.count), sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN c.count ELSE 0 END), "
        "count(DISTINCT r.id) FROM dmarc_record c JOIN dmarc_report r ON r.id = c.report "
        "WHERE (:ip IS NULL OR c.source_ip = :ip) AND (:scope IS NULL OR r.scope = :scope) "
        "AND r.begin_time >= :from AND r.begin_time <= :to "
        "GROUP BY day, r.scope, c.source_ip ORDER BY day DESC, r.scope, c.source_ip "
        "LIMIT :limit");
    bind_window(st, window, limit);
    std::vector<DmarcDayRow> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_text(2),
                       st.column_int(3) != 0, st.column_int(4), st.column_int(5),
                       st.column_int(6)});
    }
    return out;
}

std::vector<DmarcReportView> read_dmarc_reports(Database& db, const TimeWindow& window,
                                                std::int64_t limit)
{
    Statement st(db, "SELECT id, org, report_id, begin_time, end_time, scope, format, "
                     "policy_domain, p, records, messages, notes FROM dmarc_report "
                     "WHERE (:scope IS NULL OR scope = :scope) AND begin_time >= :from AND "
                     "begin_time <= :to AND (:ip IS NULL OR EXISTS (SELECT 1 FROM "
                     "dmarc_record c WHERE c.report = dmarc_report.id AND c.source_ip = :ip)) "
                     "ORDER BY begin_time DESC, id DESC LIMIT :limit");
    bind_window(st, window, limit);
    std::vector<DmarcReportView> out;
    while (st.step()) {
        out.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_text(4), st.column_text(5), st.column_text(6),
                       st.column_optional_text(7), st.column_optional_text(8), st.column_int(9),
                       st.column_int(10), st.column_optional_text(11)});
    }
    return out;
}

std::vector<DmarcLaneRow> read_dmarc_lane(Database& db, const TimeWindow& window,
                                          std::int64_t limit)
{
    // One row per DMARC report and our IP: the messages it counted and how many passed.
    Statement st(db,
                 "SELECT r.begin_time, r.end_time, c.source_ip, r.scope, r.org, sum(c.count), "
                 "sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN c.count ELSE 0 END), r.id "
                 "FROM dmarc_record c JOIN dmarc_report r ON r.id = c.report WHERE c.ours = 1 "
                 "AND (:ip IS NULL OR c.source_ip = :ip) AND (:scope IS NULL OR r.scope = :scope) "
                 "AND r.begin_time >= :from AND r.begin_time <= :to "
                 "GROUP BY r.id, c.source_ip ORDER BY r.begin_time LIMIT :limit");
    bind_window(st, window, limit);
    std::vector<DmarcLaneRow> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_text(4), st.column_int(5), st.column_int(6), st.column_int(7)});
    }
    return out;
}

std::vector<TlsPolicyView> read_tls_policies(Database& db, const std::string& from,
                                             const std::string& to, std::int64_t limit)
{
    Statement st(db, "SELECT r.organization, r.report_id, r.start_time, r.end_time, "
                     "p.policy_domain, p.policy_type, p.mx_host, p.successful, p.failed, "
                     "p.failures FROM tlsrpt_policy p JOIN tlsrpt_report r ON r.id = p.report "
                     "WHERE r.start_time >= :from AND r.start_time <= :to "
                     "ORDER BY r.start_time DESC, p.id LIMIT :limit");
    st.bind(":from", from);
    st.bind(":to", to);
    st.bind(":limit", limit);
    std::vector<TlsPolicyView> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_optional_text(4), st.column_optional_text(5),
                       st.column_optional_text(6), st.column_int(7), st.column_int(8),
                       st.column_optional_text(9)});
    }
    return out;
}

std::vector<SndsDataView> read_snds_data(Database& db, const TimeWindow& window,
                                         const std::string& snds_scope, std::int64_t limit,
                                         bool newest_first)
{
    Statement st(db, std::string("SELECT ip, start_time, end_time, rcpt_commands, "
                                 "data_commands, recipients, filter, complaint_rate, "
                                 "complaint_percent, trap_hits, sample_helo, sample_mail_from "
                                 "FROM snds_data WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS "
                                 "NULL OR :scope = :snds_scope) AND start_time >= :from AND "
                                 "start_time <= :to ORDER BY ") +
                         (newest_first ? "start_time DESC, ip" : "start_time") + " LIMIT :limit");
    bind_window(st, window, limit);
    st.bind(":snds_scope", snds_scope);
    std::vector<SndsDataView> out;
    while (st.step()) {
        SndsDataView row;
        row.ip = st.column_text(0);
        row.start = st.column_text(1);
        row.end = st.column_optional_text(2);
        row.rcpt_commands = st.column_int(3);
        row.data_commands = st.column_int(4);
        row.recipients = st.column_int(5);
        row.filter = st.column_optional_text(6);
        row.complaint_rate = st.column_optional_text(7);
        if (!st.is_null(8)) {
            row.complaint_percent = st.column_double(8);
        }
        row.trap_hits = st.column_int(9);
        row.sample_helo = st.column_optional_text(10);
        row.sample_mail_from = st.column_optional_text(11);
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<SndsFetchView> read_snds_fetches(Database& db)
{
    // The source never holds the key.
    Statement st(db, "SELECT feed, time, source, outcome, detail, rows, malformed FROM (SELECT "
                     "*, row_number() OVER (PARTITION BY feed ORDER BY time DESC, id DESC) AS "
                     "newest FROM snds_fetch) AS f WHERE newest = 1 ORDER BY feed");
    std::vector<SndsFetchView> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_optional_text(4), st.column_int(5), st.column_int(6)});
    }
    return out;
}

std::vector<SndsRangeView> read_snds_ranges(Database& db)
{
    Statement st(db, "SELECT first_ip, last_ip, blocked, reason FROM snds_status WHERE "
                     "fetch = (SELECT max(fetch) FROM snds_status) ORDER BY id");
    std::vector<SndsRangeView> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_int(2) != 0,
                       st.column_optional_text(3)});
    }
    return out;
}

std::vector<SndsLatestRow> read_snds_latest_per_ip(Database& db)
{
    // The newest row of each IP (window function: both backends).
    Statement st(db, "SELECT ip, start_time, coalesce(filter, ''), trap_hits, complaint_percent "
                     "FROM (SELECT *, row_number() OVER (PARTITION BY ip ORDER BY start_time "
                     "DESC, id DESC) AS newest FROM snds_data) AS d WHERE newest = 1 "
                     "ORDER BY ip");
    std::vector<SndsLatestRow> out;
    while (st.step()) {
        SndsLatestRow row{st.column_text(0), st.column_text(2), st.column_text(1), st.column_int(3),
                          std::nullopt};
        if (!st.is_null(4)) {
            row.complaint_percent = st.column_double(4);
        }
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<SndsIpVerdict> read_snds_ip_verdicts(Database& db)
{
    Statement st(db, "SELECT ip, verdict FROM snds_ip_state s WHERE id = (SELECT max(id) "
                     "FROM snds_ip_state x WHERE x.ip = s.ip) ORDER BY ip");
    std::vector<SndsIpVerdict> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1)});
    }
    return out;
}

std::vector<DmarcTotalRow> read_dmarc_totals(Database& db)
{
    Statement st(db, "SELECT r.scope, c.source_ip, sum(CASE WHEN c.dkim = 'pass' OR c.spf = "
                     "'pass' THEN c.count ELSE 0 END), sum(c.count) FROM dmarc_record c JOIN "
                     "dmarc_report r ON r.id = c.report WHERE c.ours = 1 GROUP BY r.scope, "
                     "c.source_ip ORDER BY 1, 2");
    std::vector<DmarcTotalRow> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_int(2), st.column_int(3)});
    }
    return out;
}

std::vector<TlsTotalRow> read_tls_totals(Database& db)
{
    Statement st(db, "SELECT coalesce(policy_domain, ''), sum(successful), sum(failed) "
                     "FROM tlsrpt_policy GROUP BY 1 ORDER BY 1");
    std::vector<TlsTotalRow> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_int(1), st.column_int(2)});
    }
    return out;
}

} // namespace smtpprobe::store
