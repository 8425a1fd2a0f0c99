// The state query's SQL (see state_rows.hpp).
#include "monitor/store/state_rows.hpp"

#include "monitor/store/episode_fold_rows.hpp"
#include "monitor/store/state_where.hpp"

#include <algorithm>

namespace smtpprobe::store {

std::vector<StateRow> read_state_rows(Database& db, const std::string& default_ip,
                                      const StateRowFilter& filter)
{
    const StateWhere where = state_where(default_ip, filter.node, filter.state, filter.ips);
    const bool newest = filter.newest >= 0;
    // The pairs first (with the newest-first limit applied), then their episode and blocking
    // evidence: joined only for the rows kept, not for every pair before a LIMIT.
    std::string pairs = "SELECT s.ip, s.scope, s.state, s.since, s.last_time, s.last_id, "
                        "s.last_verdict, s.provider_code, s.reason, s.episode_id "
                        "FROM episode_state s";
    if (newest) {
        pairs += " LEFT JOIN episode o ON o.id = s.episode_id AND o.closed IS NULL" + where.sql +
                 " ORDER BY coalesce(s.since, o.opened, '') DESC, s.ip, s.scope LIMIT ?";
    } else {
        pairs += where.sql;
    }
    // The newest blocking evidence in time, as the fold reads it (an older bounce ingested
    // later has a higher id but is not the newest); only for a blocked pair, the only one that
    // reads it (scope_action): asked for every pair, it cost a scan of the scope's evidence
    // per pair (30 s for 100 IPs x 25 scopes, bench/fleet). Scalar subqueries, not a join on
    // evidence: PostgreSQL hashed all of a year's evidence for that join (0.7 s a page).
    auto newest_blocked = [](const char* column) {
        return std::string("CASE WHEN s.state = 'blocked' THEN (SELECT x.") + column +
               " FROM evidence x WHERE x.scope = s.scope AND x.verdict = 'blocked' "
               "AND (x.ip = s.ip OR (x.ip = '' AND s.ip = ?)) "
               "ORDER BY x.time DESC, x.id DESC LIMIT 1) END";
    };
    Statement st(db, "SELECT s.ip, s.scope, s.state, s.since, s.last_time, s.last_id, "
                     "s.last_verdict, coalesce(s.provider_code, ''), coalesce(s.reason, ''), "
                     "e.id, e.opened, coalesce(e.codes, '[]'), coalesce(e.evidence_count, 0), "
                     "coalesce(e.reason, ''), " +
                         newest_blocked("id") + ", coalesce(" + newest_blocked("receiver") +
                         ", '') FROM (" + pairs +
                         ") AS s "
                         "LEFT JOIN episode e ON e.id = s.episode_id AND e.closed IS NULL " +
                         (newest ? "ORDER BY coalesce(s.since, e.opened, '') DESC, s.ip, s.scope"
                                 : "ORDER BY s.ip, s.scope"));
    // The select list's two parameters come first in the text, then the pairs' own.
    st.bind(1, default_ip).bind(2, default_ip);
    int next = bind_all(st, where.values, 3);
    if (newest) {
        st.bind(next, filter.newest);
    }
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
                     "FROM state_node WHERE node = ?1");
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
    // The cursor bound, not a subquery: PostgreSQL then reads the id range from the primary key
    // instead of counting a year of evidence (40 ms on a fleet's history, bench/fleet).
    Statement st(db, "SELECT count(*) FROM evidence WHERE id > ?");
    st.bind(1, read_monitor_cursor(db, "episodes").value_or(0));
    st.step();
    return st.column_int(0);
}

std::unordered_map<std::int64_t, BlockingSource>
read_blocking_sources(Database& db, const std::vector<std::int64_t>& evidence_ids)
{
    std::unordered_map<std::int64_t, BlockingSource> out;
    constexpr std::size_t k_slice = 500;
    for (std::size_t from = 0; from < evidence_ids.size(); from += k_slice) {
        const std::size_t to = std::min(evidence_ids.size(), from + k_slice);
        const std::string list = placeholders(to - from);
        // The reply columns per source kind; a kind without a reply (a DNSBL
        // answer, a note) keeps none.
        Statement st(db,
                     "SELECT e.id, e.source_kind, coalesce(s.reason, ''), "
                     "CASE e.source_kind WHEN 'probe' THEN p.reply_code WHEN 'bounce' THEN "
                     "b.reply_code END, "
                     "CASE e.source_kind WHEN 'probe' THEN p.reply_enhanced WHEN 'log' THEN d.dsn "
                     "WHEN 'bounce' THEN b.status END, "
                     "CASE e.source_kind WHEN 'probe' THEN p.reply_text WHEN 'log' THEN "
                     "coalesce(d.reply, d.status) WHEN 'bounce' THEN b.diagnostic END, "
                     "CASE e.source_kind WHEN 'probe' THEN p.mx_host WHEN 'log' THEN d.relay_host "
                     "WHEN 'bounce' THEN b.remote_mta END, "
                     "CASE e.source_kind WHEN 'probe' THEN p.id WHEN 'log' THEN d.id WHEN 'bounce' "
                     "THEN b.id WHEN 'snds' THEN s.id END "
                     "FROM evidence e "
                     "LEFT JOIN snds_ip_state s ON e.source_kind = 'snds' AND s.id = e.source_id "
                     "LEFT JOIN probe_run p ON e.source_kind = 'probe' AND p.id = e.source_id "
                     "LEFT JOIN delivery d ON e.source_kind = 'log' AND d.id = e.source_id "
                     "LEFT JOIN bounce b ON e.source_kind = 'bounce' AND b.id = e.source_id "
                     "WHERE e.id IN (" +
                         list + ")");
        for (std::size_t i = from; i < to; ++i) {
            st.bind(static_cast<int>(i - from + 1), evidence_ids[i]);
        }
        while (st.step()) {
            BlockingSource source;
            const std::string kind = st.column_text(1);
            if (!st.column_optional_int(7)) {
                // The source row is gone: nothing explains it.
            } else if (kind == "snds") {
                source.snds_reason = st.column_text(2);
            } else {
                EvidenceReply reply;
                if (auto code = st.column_optional_int(3)) {
                    reply.code = static_cast<int>(*code);
                }
                reply.enhanced = st.column_text(4);
                reply.text = st.column_text(5);
                reply.host = st.column_text(6);
                source.reply = std::move(reply);
            }
            out.emplace(st.column_int(0), std::move(source));
        }
    }
    return out;
}

} // namespace smtpprobe::store
