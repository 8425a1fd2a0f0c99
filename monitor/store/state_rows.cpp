// The state query's SQL (see state_rows.hpp).
#include "monitor/store/state_rows.hpp"

#include "monitor/store/episode_fold_rows.hpp"

#include <algorithm>
#include <string_view>

namespace smtpprobe::store {

namespace {

// A WHERE clause over episode_state s built from conditions with unnumbered parameters, and
// the values to bind to them in order.
struct Where {
    std::string sql;
    std::vector<std::string> values;

    void add(const std::string& condition)
    {
        sql += (sql.empty() ? " WHERE " : " AND ") + condition;
    }
};

// The conditions of node (the pairs it observed, its ip "" read as default_ip), state and ips.
Where where_of(const std::string& default_ip, const std::string& node, const std::string& state,
               const std::vector<std::string>& ips = {})
{
    Where w;
    if (!node.empty() && (!ips.empty() || state == "blocked" || state == "unknown")) {
        // Few pairs (a page of IPs, the blocked or unknown ones): each looked up in the
        // node's rows. A pair is the node's when it observed the pair's IP, or evidence
        // naming no IP that the fold keys to it.
        w.add("EXISTS (SELECT 1 FROM state_node n WHERE n.node = ? AND n.scope = s.scope AND "
              "n.ip IN (s.ip, CASE WHEN s.ip = ? THEN '' ELSE s.ip END))");
        w.values.push_back(node);
        w.values.push_back(default_ip);
    } else if (!node.empty()) {
        // Every pair of the node: driven from the node's rows (a fleet has far more pairs).
        w.add("(s.ip, s.scope) IN (SELECT CASE WHEN n.ip = '' THEN ? ELSE n.ip END, n.scope "
              "FROM state_node n WHERE n.node = ?)");
        w.values.push_back(default_ip);
        w.values.push_back(node);
    }
    if (!state.empty()) {
        w.add("s.state = ?");
        w.values.push_back(state);
    }
    if (!ips.empty()) {
        std::string list;
        for (const std::string& ip : ips) {
            list += list.empty() ? "?" : ", ?";
            w.values.push_back(ip);
        }
        w.add("s.ip IN (" + list + ")");
    }
    return w;
}

int bind_all(Statement& st, const std::vector<std::string>& values, int first = 1)
{
    for (const std::string& value : values) {
        st.bind(first++, value);
    }
    return first;
}

} // namespace

std::vector<StateRow> read_state_rows(Database& db, const std::string& default_ip,
                                      const StateRowFilter& filter)
{
    const Where where = where_of(default_ip, filter.node, filter.state, filter.ips);
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

namespace {
bool node_counts_ready(Database& db);
} // namespace

StateCounts count_states(Database& db, const std::string& default_ip, const std::string& node)
{
    StateCounts counts;
    if (node.empty()) {
        // One row per IP (state_ip, kept by the fold), not one per pair.
        Statement st(db, "SELECT count(*), coalesce(sum(pairs), 0), coalesce(sum(blocked), 0), "
                         "coalesce(sum(unknown), 0), "
                         "coalesce(sum(CASE WHEN blocked > 0 THEN 1 ELSE 0 END), 0) "
                         "FROM state_ip WHERE pairs > 0");
        if (st.step()) {
            counts.ips = st.column_int(0);
            counts.pairs = st.column_int(1);
            counts.blocked = st.column_int(2);
            counts.unknown = st.column_int(3);
            counts.blocked_ips = st.column_int(4);
        }
    } else if (node_counts_ready(db)) {
        Statement st(db, "SELECT count(*), coalesce(sum(pairs), 0), coalesce(sum(blocked), 0), "
                         "coalesce(sum(unknown), 0), "
                         "coalesce(sum(CASE WHEN blocked > 0 THEN 1 ELSE 0 END), 0) "
                         "FROM state_node_ip WHERE node = ? AND pairs > 0");
        st.bind(1, node);
        if (st.step()) {
            counts.ips = st.column_int(0);
            counts.pairs = st.column_int(1);
            counts.blocked = st.column_int(2);
            counts.unknown = st.column_int(3);
            counts.blocked_ips = st.column_int(4);
        }
    } else {
        // Before the fold has counted the node's IPs: one pass over the node's pairs.
        const Where where = where_of(default_ip, node, "");
        Statement st(db, "SELECT s.state, count(*), count(DISTINCT s.ip) FROM episode_state s" +
                             where.sql + " GROUP BY s.state");
        bind_all(st, where.values);
        while (st.step()) {
            const std::string state = st.column_text(0);
            counts.pairs += st.column_int(1);
            if (state == "blocked") {
                counts.blocked = st.column_int(1);
                counts.blocked_ips = st.column_int(2);
            } else if (state == "unknown") {
                counts.unknown = st.column_int(1);
            }
        }
        counts.ips = counts.pairs > 0 ? count_ips(db, default_ip, node, "") : 0;
    }
    counts.clear = counts.pairs - counts.blocked - counts.unknown;
    return counts;
}

namespace {

// Whether the fold has counted state_node_ip (schema 020 leaves it to the next fold).
bool node_counts_ready(Database& db)
{
    return read_monitor_cursor(db, "state_node_ip").has_value();
}

// The state_ip condition of IPs with at least one pair in state ("" = any).
std::string state_ip_condition(const std::string& state)
{
    if (state == "blocked") {
        return "blocked > 0";
    }
    if (state == "unknown") {
        return "unknown > 0";
    }
    if (state == "clear") {
        return "pairs - blocked - unknown > 0";
    }
    return "pairs > 0";
}

} // namespace

std::int64_t count_ips(Database& db, const std::string& default_ip, const std::string& node,
                       const std::string& state)
{
    if (node.empty()) {
        Statement st(db, "SELECT count(*) FROM state_ip WHERE " + state_ip_condition(state));
        return st.step() ? st.column_int(0) : 0;
    }
    if (node_counts_ready(db)) {
        Statement st(db, "SELECT count(*) FROM state_node_ip WHERE node = ? AND " +
                             state_ip_condition(state));
        st.bind(1, node);
        return st.step() ? st.column_int(0) : 0;
    }
    const Where where = where_of(default_ip, node, state);
    Statement st(db, "SELECT count(*) FROM (SELECT DISTINCT s.ip FROM episode_state s" + where.sql +
                         ") AS d");
    bind_all(st, where.values);
    return st.step() ? st.column_int(0) : 0;
}

std::vector<std::string> read_ip_page(Database& db, const std::string& default_ip,
                                      const std::string& node, const std::string& state,
                                      std::int64_t offset, std::int64_t limit)
{
    std::vector<std::string> ips;
    if (node.empty()) {
        Statement st(db, "SELECT ip FROM state_ip WHERE " + state_ip_condition(state) +
                             " ORDER BY ip LIMIT ? OFFSET ?");
        st.bind_limit(1, limit).bind(2, offset);
        while (st.step()) {
            ips.push_back(st.column_text(0));
        }
        return ips;
    }
    if (node_counts_ready(db)) {
        Statement st(db, "SELECT ip FROM state_node_ip WHERE node = ? AND " +
                             state_ip_condition(state) + " ORDER BY ip LIMIT ? OFFSET ?");
        st.bind(1, node).bind_limit(2, limit).bind(3, offset);
        while (st.step()) {
            ips.push_back(st.column_text(0));
        }
        return ips;
    }
    const Where where = where_of(default_ip, node, state);
    Statement st(db, "SELECT DISTINCT s.ip FROM episode_state s" + where.sql +
                         " ORDER BY s.ip LIMIT ? OFFSET ?");
    const int next = bind_all(st, where.values);
    st.bind_limit(next, limit).bind(next + 1, offset);
    while (st.step()) {
        ips.push_back(st.column_text(0));
    }
    return ips;
}

void recount_state_ips(Database& db, const std::vector<std::string>& ips)
{
    // In slices: an IN list per statement, within every backend's parameter limit.
    constexpr std::size_t k_slice = 500;
    for (std::size_t from = 0; from < ips.size(); from += k_slice) {
        const std::size_t to = std::min(ips.size(), from + k_slice);
        std::string list;
        for (std::size_t i = from; i < to; ++i) {
            list += list.empty() ? "?" : ", ?";
        }
        Statement drop(db, "DELETE FROM state_ip WHERE ip IN (" + list + ")");
        Statement add(db, "INSERT INTO state_ip (ip, pairs, blocked, unknown) "
                          "SELECT ip, count(*), sum(CASE WHEN state = 'blocked' THEN 1 ELSE 0 "
                          "END), sum(CASE WHEN state = 'unknown' THEN 1 ELSE 0 END) "
                          "FROM episode_state WHERE ip IN (" +
                              list + ") GROUP BY ip");
        for (std::size_t i = from; i < to; ++i) {
            drop.bind(static_cast<int>(i - from + 1), ips[i]);
            add.bind(static_cast<int>(i - from + 1), ips[i]);
        }
        drop.run();
        add.run();
    }
}

namespace {

// The per-node counts of the IPs in list (or every IP when list is empty): the node's pairs
// as state_node names them (ip "" read as default_ip, as the fold keys it).
void insert_node_counts(Database& db, const std::string& default_ip, const std::string& list,
                        const std::vector<std::string>& ips)
{
    Statement add(db,
                  "INSERT INTO state_node_ip (node, ip, pairs, blocked, unknown) "
                  "SELECT k.node, s.ip, count(*), "
                  "sum(CASE WHEN s.state = 'blocked' THEN 1 ELSE 0 END), "
                  "sum(CASE WHEN s.state = 'unknown' THEN 1 ELSE 0 END) "
                  "FROM (SELECT DISTINCT node, CASE WHEN ip = '' THEN ? ELSE ip END AS ip, "
                  "scope FROM state_node" +
                      (list.empty() ? std::string() : " WHERE ip = '' OR ip IN (" + list + ")") +
                      ") AS k JOIN episode_state s ON s.ip = k.ip AND s.scope = k.scope" +
                      (list.empty() ? std::string() : " WHERE s.ip IN (" + list + ")") +
                      " GROUP BY k.node, s.ip");
    int next = 1;
    add.bind(next++, default_ip);
    for (int pass = 0; pass < (list.empty() ? 0 : 2); ++pass) {
        for (const std::string& ip : ips) {
            add.bind(next++, ip);
        }
    }
    add.run();
}

} // namespace

void recount_node_ips(Database& db, const std::string& default_ip,
                      const std::vector<std::string>& ips)
{
    if (!node_counts_ready(db)) {
        recount_all_node_ips(db, default_ip);
        return;
    }
    constexpr std::size_t k_slice = 250; // two uses of each IP per statement
    for (std::size_t from = 0; from < ips.size(); from += k_slice) {
        const std::vector<std::string> slice(
            ips.begin() + static_cast<std::ptrdiff_t>(from),
            ips.begin() + static_cast<std::ptrdiff_t>(std::min(ips.size(), from + k_slice)));
        std::string list;
        for (std::size_t i = 0; i < slice.size(); ++i) {
            list += list.empty() ? "?" : ", ?";
        }
        Statement drop(db, "DELETE FROM state_node_ip WHERE ip IN (" + list + ")");
        for (std::size_t i = 0; i < slice.size(); ++i) {
            drop.bind(static_cast<int>(i + 1), slice[i]);
        }
        drop.run();
        insert_node_counts(db, default_ip, list, slice);
    }
}

void recount_all_node_ips(Database& db, const std::string& default_ip)
{
    db.exec("DELETE FROM state_node_ip");
    insert_node_counts(db, default_ip, "", {});
    write_monitor_cursor(db, "state_node_ip", 1);
}

void recount_all_state_ips(Database& db)
{
    db.exec("DELETE FROM state_ip");
    db.exec("INSERT INTO state_ip (ip, pairs, blocked, unknown) "
            "SELECT ip, count(*), sum(CASE WHEN state = 'blocked' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN state = 'unknown' THEN 1 ELSE 0 END) FROM episode_state GROUP BY ip");
}

void record_state_nodes(Database& db, std::int64_t after_id, std::int64_t up_to_id)
{
    Statement st(db, "INSERT OR IGNORE INTO state_node (node, ip, scope) "
                     "SELECT DISTINCT node, ip, scope FROM evidence "
                     "WHERE id > ? AND id <= ? AND node IS NOT NULL AND node <> ''");
    st.bind(1, after_id).bind(2, up_to_id);
    st.run();
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

std::unordered_map<std::int64_t, BlockingSource>
read_blocking_sources(Database& db, const std::vector<std::int64_t>& evidence_ids)
{
    std::unordered_map<std::int64_t, BlockingSource> out;
    constexpr std::size_t k_slice = 500;
    for (std::size_t from = 0; from < evidence_ids.size(); from += k_slice) {
        const std::size_t to = std::min(evidence_ids.size(), from + k_slice);
        std::string list;
        for (std::size_t i = from; i < to; ++i) {
            list += list.empty() ? "?" : ", ?";
        }
        // The columns evidence_reply() reads per source kind; a kind without a reply (a DNSBL
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
                // The source row is gone: nothing explains it (as evidence_reply()).
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
