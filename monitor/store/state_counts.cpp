// The fleet overview's counts and pages of IPs, and the fold's upkeep of them (see
// state_counts.hpp).
#include "monitor/store/state_counts.hpp"

#include "monitor/store/episode_fold_rows.hpp"
#include "monitor/store/state_where.hpp"

#include <algorithm>

namespace smtpprobe::store {

namespace {

bool node_counts_ready(Database& db);

// The counts summed over the per-IP rows of from ("table WHERE ..."; node bound to its ? if
// given).
StateCounts summed_counts(Database& db, const std::string& from, const std::string& node)
{
    StateCounts counts;
    Statement st(db, "SELECT count(*), coalesce(sum(pairs), 0), coalesce(sum(blocked), 0), "
                     "coalesce(sum(unknown), 0), "
                     "coalesce(sum(CASE WHEN blocked > 0 THEN 1 ELSE 0 END), 0) FROM " +
                         from);
    if (!node.empty()) {
        st.bind(1, node);
    }
    if (st.step()) {
        counts.ips = st.column_int(0);
        counts.pairs = st.column_int(1);
        counts.blocked = st.column_int(2);
        counts.unknown = st.column_int(3);
        counts.blocked_ips = st.column_int(4);
    }
    return counts;
}

} // namespace

StateCounts count_states(Database& db, const std::string& default_ip, const std::string& node)
{
    StateCounts counts;
    if (node.empty()) {
        // One row per IP (state_ip, kept by the fold), not one per pair.
        counts = summed_counts(db, "state_ip WHERE pairs > 0", {});
    } else if (node_counts_ready(db)) {
        counts = summed_counts(db, "state_node_ip WHERE node = ? AND pairs > 0", node);
    } else {
        // Before the fold has counted the node's IPs: one pass over the node's pairs.
        const StateWhere where = state_where(default_ip, node, "");
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
    const StateWhere where = state_where(default_ip, node, state);
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
    const StateWhere where = state_where(default_ip, node, state);
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
        const std::string list = placeholders(to - from);
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
        const std::string list = placeholders(slice.size());
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

} // namespace smtpprobe::store
