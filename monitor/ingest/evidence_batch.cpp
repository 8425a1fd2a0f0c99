// Log evidence rows with counted successes (see evidence_batch.hpp).
#include "monitor/ingest/evidence_batch.hpp"

namespace smtpprobe::ingest {

namespace {

// "2026-01-31T00" of "2026-01-31T00:00:02Z": the UTC hour a row counts successes in.
constexpr std::size_t k_hour_prefix = 13;

bool same_hour(std::string_view a, std::string_view b)
{
    return a.size() >= k_hour_prefix && b.size() >= k_hour_prefix &&
           a.substr(0, k_hour_prefix) == b.substr(0, k_hour_prefix);
}

void add_text_or_null(store::RowBatch& rows, std::string_view text)
{
    if (text.empty()) {
        rows.add_null();
    } else {
        rows.add_text(text);
    }
}

} // namespace

EvidenceBatch::EvidenceBatch(store::Database& db)
    : m_rows_out(db,
                 "INSERT OR IGNORE INTO evidence (time, ip, scope, verdict, reason, provider_code, "
                 "source_kind, source_id, observations, last_time)",
                 10, false)
{
}

EvidenceBatch::Row& EvidenceBatch::push(std::string_view time, std::string_view ip,
                                        std::string_view scope, std::string_view verdict,
                                        std::string_view reason, std::string_view provider_code,
                                        std::int64_t source_id)
{
    if (m_count == m_rows.size()) {
        m_rows.emplace_back();
    }
    // Assigning into the kept strings reuses their buffers: no allocation per row.
    Row& row = m_rows[m_count++];
    row.time.assign(time);
    row.ip.assign(ip);
    row.scope.assign(scope);
    row.verdict.assign(verdict);
    row.reason.assign(reason);
    row.provider_code.assign(provider_code);
    row.last_time.clear();
    row.source_id = source_id;
    row.observations = 1;
    return row;
}

void EvidenceBatch::add(std::string_view time, std::string_view ip, std::string_view scope,
                        std::string_view verdict, std::string_view reason,
                        std::string_view provider_code, std::int64_t source_id)
{
    if (m_count >= k_max_pending) {
        write();
    }
    m_key.assign(scope);
    auto open = m_open.find(m_key);
    if (verdict != "clear") {
        // Anything else of the scope ends its open rows: the next success gets a row of its
        // own (the first success after a block is where an episode closes).
        if (open != m_open.end()) {
            open->second.clear();
        }
        push(time, ip, scope, verdict, reason, provider_code, source_id);
        return;
    }
    if (open == m_open.end()) {
        open = m_open.try_emplace(m_key).first;
    }
    for (OpenRow& candidate : open->second) {
        if (candidate.ip != ip) {
            continue;
        }
        Row& row = m_rows[candidate.index];
        // Same hour, not before the row's first item (a clock step back in the log opens a
        // row of its own, so last_time never precedes time), and the same reason and code
        // (the row keeps its first item's, which must stand for all of them).
        if (same_hour(row.time, time) && time >= std::string_view(row.time) &&
            reason == row.reason && provider_code == row.provider_code) {
            ++row.observations;
            row.last_time.assign(time);
            return;
        }
        push(time, ip, scope, verdict, reason, provider_code, source_id);
        candidate.index = m_count - 1;
        return;
    }
    push(time, ip, scope, verdict, reason, provider_code, source_id);
    open->second.push_back(OpenRow{std::string(ip), m_count - 1});
}

void EvidenceBatch::write()
{
    for (std::size_t i = 0; i < m_count; ++i) {
        const Row& row = m_rows[i];
        m_rows_out.add_text(row.time);
        m_rows_out.add_text(row.ip);
        m_rows_out.add_text(row.scope);
        m_rows_out.add_text(row.verdict);
        add_text_or_null(m_rows_out, row.reason);
        add_text_or_null(m_rows_out, row.provider_code);
        m_rows_out.add_text("log");
        m_rows_out.add_int(row.source_id);
        m_rows_out.add_int(row.observations);
        // A row of one success, or of several in the same second, has no distinct last time.
        if (row.last_time.empty() || row.last_time == row.time) {
            m_rows_out.add_null();
        } else {
            m_rows_out.add_text(row.last_time);
        }
    }
    m_count = 0;
    m_open.clear();
    m_rows_out.write();
}

void EvidenceBatch::discard()
{
    m_count = 0;
    m_open.clear();
    m_rows_out.discard();
}

} // namespace smtpprobe::ingest
