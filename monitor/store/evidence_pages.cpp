// The web's evidence SQL (see evidence_pages.hpp).
#include "monitor/store/evidence_pages.hpp"

namespace smtpprobe::store {

namespace {

constexpr const char* k_list_columns = "SELECT id, time, ip, scope, verdict, reason, "
                                       "provider_code, source_kind, source_id, observations, "
                                       "last_time, node FROM evidence ";

EvidenceListRow list_row(const Statement& st)
{
    EvidenceListRow row;
    row.id = st.column_int(0);
    row.time = st.column_text(1);
    row.ip = st.column_text(2);
    row.scope = st.column_text(3);
    row.verdict = st.column_text(4);
    row.reason = st.column_optional_text(5);
    row.provider_code = st.column_optional_text(6);
    row.source_kind = st.column_text(7);
    row.source_id = st.column_int(8);
    row.observations = st.column_int(9);
    row.last_time = st.column_optional_text(10);
    row.node = st.column_optional_text(11);
    return row;
}

// One query per source kind; each returns text, status, reply code, host, time.
const char* source_sql(std::string_view kind)
{
    if (kind == "probe") {
        return "SELECT reply_text, reply_enhanced, reply_code, mx_host, started_at "
               "FROM probe_run WHERE id = ?";
    }
    if (kind == "log") {
        return "SELECT reply, dsn, NULL, relay_host, time FROM delivery WHERE id = ?";
    }
    if (kind == "bounce") {
        return "SELECT diagnostic, status, reply_code, remote_mta, time FROM bounce WHERE id = ?";
    }
    if (kind == "dnsbl") {
        return "SELECT txt, NULL, NULL, zone, time FROM dnsbl_check WHERE id = ?";
    }
    if (kind == "note") {
        return "SELECT text, NULL, NULL, NULL, time FROM note WHERE id = ?";
    }
    return nullptr;
}

} // namespace

std::vector<EvidenceListRow> read_evidence_page(Database& db, const EvidencePageFilter& filter)
{
    std::string sql =
        std::string(k_list_columns) +
        "WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS NULL OR scope = :scope) "
        "AND (:verdict IS NULL OR verdict = :verdict) "
        "AND (:kind IS NULL OR source_kind = :kind) AND (:node IS NULL OR node = :node) ";
    // Newest first by time (ties by id): an older log or bounce ingested later gets a higher id
    // but belongs further down. The cursor is a row id; its (time, id) is where the page starts.
    sql += filter.after
               ? "AND (time, id) > ((SELECT time FROM evidence WHERE id = :after), :after) "
                 "ORDER BY time ASC, id ASC LIMIT :limit"
               : "AND (:before IS NULL OR (time, id) < ((SELECT time FROM evidence "
                 "WHERE id = :before), :before)) ORDER BY time DESC, id DESC LIMIT :limit";
    Statement st(db, sql);
    st.bind(":ip", filter.ip);
    st.bind(":scope", filter.scope);
    st.bind(":verdict", filter.verdict);
    st.bind(":kind", filter.source_kind);
    st.bind(":node", filter.node);
    if (filter.after) {
        st.bind(":after", *filter.after);
    } else {
        st.bind(":before", filter.before);
    }
    st.bind(":limit", filter.limit);
    std::vector<EvidenceListRow> rows;
    while (st.step()) {
        rows.push_back(list_row(st));
    }
    return rows;
}

std::vector<EvidenceListRow> read_evidence_window(Database& db,
                                                  const std::optional<std::string>& ip,
                                                  const std::optional<std::string>& scope,
                                                  const std::string& from, const std::string& to,
                                                  std::int64_t limit,
                                                  const std::optional<std::string>& node)
{
    // Separate statements so each uses its own index (ip,scope,time / ip,time / scope,time /
    // time) instead of one generic plan.
    std::string where;
    if (ip && scope) {
        where = "WHERE ip = :ip AND scope = :scope AND ";
    } else if (ip) {
        where = "WHERE ip = :ip AND ";
    } else if (scope) {
        where = "WHERE scope = :scope AND ";
    } else {
        where = "WHERE ";
    }
    if (node) {
        where += "node = :node AND ";
    }
    Statement st(db, std::string(k_list_columns) + where +
                         "time >= :from AND time <= :to ORDER BY time, id LIMIT :limit");
    if (ip) {
        st.bind(":ip", *ip);
    }
    if (scope) {
        st.bind(":scope", *scope);
    }
    if (node) {
        st.bind(":node", *node);
    }
    st.bind(":from", from);
    st.bind(":to", to);
    st.bind(":limit", limit);
    std::vector<EvidenceListRow> rows;
    while (st.step()) {
        rows.push_back(list_row(st));
    }
    return rows;
}

std::optional<EvidenceSourceRow> read_evidence_source(Database& db, std::string_view kind,
                                                      std::int64_t id)
{
    const char* sql = source_sql(kind);
    if (!sql) {
        return std::nullopt;
    }
    Statement st(db, sql);
    st.bind(1, id);
    if (!st.step()) {
        return std::nullopt;
    }
    return EvidenceSourceRow{st.column_optional_text(0), st.column_optional_text(1),
                             st.column_optional_int(2), st.column_optional_text(3),
                             st.column_optional_text(4)};
}

StoreSummary read_store_summary(Database& db)
{
    StoreSummary out;
    {
        Statement st(db, "SELECT count(*), min(opened) FROM episode WHERE closed IS NULL");
        st.step();
        out.open_episodes = st.column_int(0);
        out.oldest_open_episode = st.column_optional_text(1);
    }
    {
        // Two statements: SQLite answers a lone max() from an index end, but scans the
        // whole table for max(a), max(b) together.
        // The latest observation: a row's last_time is in the hour of its time (schema 009),
        // so only rows from the hour of the newest time can hold a later one.
        Statement last_time(db, "SELECT max(coalesce(last_time, time)) FROM evidence WHERE "
                                "time >= substr((SELECT max(time) FROM evidence), 1, 13)");
        last_time.step();
        out.last_evidence_time = last_time.column_optional_text(0);
        Statement last_id(db, "SELECT max(id) FROM evidence");
        last_id.step();
        out.last_evidence_id = last_id.column_optional_int(0);
    }
    Statement st(db, "SELECT id, started_at, target, outcome FROM probe_run "
                     "ORDER BY started_at DESC, id DESC LIMIT 1");
    if (st.step()) {
        out.last_probe =
            StoreSummary::Probe{st.column_int(0), st.column_optional_text(1),
                                st.column_optional_text(2), st.column_optional_text(3)};
    }
    return out;
}

} // namespace smtpprobe::store
