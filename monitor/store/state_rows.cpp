// The state query's SQL (see state_rows.hpp).
#include "monitor/store/state_rows.hpp"

namespace smtpprobe::store {

std::vector<StateRow> read_state_rows(Database& db, const std::string& default_ip)
{
    Statement st(db, "SELECT s.ip, s.scope, s.state, s.since, s.last_time, s.last_id, "
                     "s.last_verdict, coalesce(s.provider_code, ''), coalesce(s.reason, ''), "
                     "e.id, e.opened, coalesce(e.codes, '[]'), coalesce(e.evidence_count, 0), "
                     "coalesce(e.reason, ''), b.id, coalesce(b.receiver, '') "
                     "FROM episode_state s "
                     "LEFT JOIN episode e ON e.id = s.episode_id AND e.closed IS NULL "
                     // The newest blocking evidence in time, as the fold reads it (an older
                     // bounce ingested later has a higher id but is not the newest); only
                     // for a blocked pair, the only one that reads it (scope_action): asked
                     // for every pair, it cost a scan of the scope's evidence per pair
                     // (30 s for 100 IPs x 25 scopes, bench/fleet).
                     "LEFT JOIN evidence b ON b.id = CASE WHEN s.state = 'blocked' THEN "
                     "  (SELECT x.id FROM evidence x "
                     "  WHERE x.scope = s.scope AND x.verdict = 'blocked' "
                     "  AND (x.ip = s.ip OR (x.ip = '' AND s.ip = ?1)) "
                     "  ORDER BY x.time DESC, x.id DESC LIMIT 1) END "
                     "ORDER BY s.ip, s.scope");
    st.bind(1, default_ip);
    std::vector<StateRow> rows;
    while (st.step()) {
        StateRow row;
        row.ip = st.column_text(0);
        row.scope = st.column_text(1);
        row.state = st.column_text(2);
        row.since = st.column_optional_text(3);
        row.last_time = st.column_text(4);
        row.last_id = st.column_int(5);
        row.last_verdict = st.column_text(6);
        row.provider_code = st.column_text(7);
        row.reason = st.column_text(8);
        row.episode_id = st.column_optional_int(9);
        row.episode_opened = st.column_optional_text(10);
        row.episode_codes = st.column_text(11);
        row.episode_evidence = st.column_int(12);
        row.episode_reason = st.column_text(13);
        row.last_blocked_evidence = st.column_optional_int(14).value_or(0);
        row.last_blocked_receiver = st.column_text(15);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<std::pair<std::string, std::string>>
read_node_keys(Database& db, const std::string& node, const std::string& default_ip)
{
    Statement st(db, "SELECT DISTINCT CASE WHEN ip = '' THEN ?2 ELSE ip END, scope "
                     "FROM evidence WHERE node = ?1");
    st.bind(1, node);
    st.bind(2, default_ip);
    std::vector<std::pair<std::string, std::string>> out;
    while (st.step()) {
        out.emplace_back(st.column_text(0), st.column_text(1));
    }
    return out;
}

std::int64_t unfolded_evidence(Database& db)
{
    Statement st(db, "SELECT count(*) FROM evidence WHERE id > coalesce((SELECT value FROM "
                     "monitor_cursor WHERE name = 'episodes'), 0)");
    st.step();
    return st.column_int(0);
}

std::optional<EvidenceReply> evidence_reply(Database& db, std::int64_t evidence_id)
{
    Statement which(db, "SELECT source_kind, source_id FROM evidence WHERE id = ?");
    which.bind(1, evidence_id);
    if (!which.step()) {
        return std::nullopt;
    }
    const std::string kind = which.column_text(0);
    const std::int64_t source = which.column_int(1);
    const char* sql = nullptr;
    if (kind == "probe") {
        sql = "SELECT reply_code, reply_enhanced, reply_text, mx_host FROM probe_run WHERE id = ?";
    } else if (kind == "log") {
        sql = "SELECT NULL, dsn, coalesce(reply, status), relay_host FROM delivery WHERE id = ?";
    } else if (kind == "bounce") {
        sql = "SELECT reply_code, status, diagnostic, remote_mta FROM bounce WHERE id = ?";
    } else {
        return std::nullopt;
    }
    Statement row(db, sql);
    row.bind(1, source);
    if (!row.step()) {
        return std::nullopt;
    }
    EvidenceReply reply;
    if (auto code = row.column_optional_int(0)) {
        reply.code = static_cast<int>(*code);
    }
    reply.enhanced = row.column_text(1);
    reply.text = row.column_text(2);
    reply.host = row.column_text(3);
    return reply;
}

} // namespace smtpprobe::store
