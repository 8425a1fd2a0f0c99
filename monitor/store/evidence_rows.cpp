// The evidence table's SQL (see evidence_rows.hpp).
#include "monitor/store/evidence_rows.hpp"

#include <algorithm>

namespace smtpprobe::store {

namespace {

constexpr const char* k_columns = "id, time, ip, scope, verdict, reason, provider_code, "
                                  "observations, last_time";

StoredEvidence read_row(Statement& st)
{
    StoredEvidence row;
    row.id = st.column_int(0);
    row.time = st.column_text(1);
    row.ip = st.column_text(2);
    row.scope = st.column_text(3);
    row.verdict = st.column_text(4);
    row.reason = st.column_text(5);
    row.provider_code = st.column_text(6);
    row.observations = st.column_int(7);
    row.last_time = st.column_text(8);
    return row;
}

} // namespace

EvidenceRows::EvidenceRows(Database& db, std::string node)
    : m_node(std::move(node)),
      m_rows(db,
             "INSERT OR IGNORE INTO evidence (time, ip, scope, verdict, reason, provider_code, "
             "source_kind, source_id, observations, last_time, receiver, named_ip, outcome, node)",
             14, false)
{
}

void EvidenceRows::add(const EvidenceRowView& row)
{
    m_rows.add_text(row.time);
    m_rows.add_text(row.ip);
    m_rows.add_text(row.scope);
    m_rows.add_text(row.verdict);
    m_rows.add_text_or_null(row.reason);
    m_rows.add_text_or_null(row.provider_code);
    m_rows.add_text(row.source_kind);
    m_rows.add_int(row.source_id);
    m_rows.add_int(row.observations);
    m_rows.add_text_or_null(row.last_time);
    m_rows.add_text_or_null(row.receiver);
    m_rows.add_text_or_null(row.named_ip);
    m_rows.add_text_or_null(row.outcome);
    m_rows.add_text_or_null(m_node);
}

FreshKeys read_fresh_keys(Database& db, std::int64_t after_id, const std::string& default_ip)
{
    Statement st(db, "SELECT CASE WHEN ip = '' THEN ?2 ELSE ip END AS key_ip, scope, count(*), "
                     "max(id) FROM evidence WHERE id > ?1 GROUP BY key_ip, scope "
                     "ORDER BY key_ip, scope");
    st.bind(1, after_id).bind(2, default_ip);
    FreshKeys out;
    while (st.step()) {
        out.keys.push_back({st.column_text(0), st.column_text(1), st.column_int(2)});
        out.max_id = std::max(out.max_id, st.column_int(3));
    }
    return out;
}

void read_evidence_of_key(Database& db, const std::string& ip, const std::string& scope,
                          const std::string& default_ip, std::int64_t after_id,
                          const std::function<void(StoredEvidence&&)>& visit, std::int64_t limit)
{
    Statement st(db, std::string("SELECT ") + k_columns +
                         " FROM evidence WHERE scope = ?1 AND (ip = ?2 OR (ip = '' AND ?2 = ?3)) "
                         "AND id > ?4 ORDER BY time, id LIMIT ?5");
    st.bind(1, scope).bind(2, ip).bind(3, default_ip).bind(4, after_id).bind_limit(5, limit);
    while (st.step()) {
        visit(read_row(st));
    }
}

std::int64_t max_evidence_id(Database& db)
{
    Statement st(db, "SELECT coalesce(max(id), 0) FROM evidence");
    st.step();
    return st.column_int(0);
}

} // namespace smtpprobe::store
