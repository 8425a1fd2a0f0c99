// The one evidence writer, with counted log successes (see evidence_writer.hpp).
#include "monitor/evidence/evidence_writer.hpp"

#include <algorithm>

namespace smtpprobe::evidence {

namespace {

// "2026-01-31T00" of "2026-01-31T00:00:02Z": the UTC hour a row counts successes in.
constexpr std::size_t k_hour_prefix = 13;

bool same_hour(std::string_view a, std::string_view b)
{
    return a.size() >= k_hour_prefix && b.size() >= k_hour_prefix &&
           a.substr(0, k_hour_prefix) == b.substr(0, k_hour_prefix);
}

} // namespace

EvidenceWriter::EvidenceWriter(store::Database& db, std::string node, std::string unnamed_ip)
    : m_out(db, std::move(node)), m_unnamed_ip(std::move(unnamed_ip))
{
}

EvidenceWriter::Row& EvidenceWriter::push(std::string_view time, SourceKind source,
                                          std::int64_t source_id, const Decision& decision)
{
    if (m_count == m_rows.size()) {
        m_rows.emplace_back();
    }
    // Assigning into the kept strings reuses their buffers: no allocation per row.
    Row& row = m_rows[m_count++];
    row.time.assign(time);
    row.ip.assign(decision.ip.empty() ? std::string_view(m_unnamed_ip) : decision.ip);
    row.scope.assign(decision.scope);
    row.verdict = decision.verdict;
    row.reason.assign(decision.reason);
    row.provider_code.assign(decision.provider_code);
    row.source = source;
    row.source_id = source_id;
    row.observations = 1;
    row.last_time.clear();
    row.receiver.assign(decision.receiver);
    row.named_ip.assign(decision.named_ip);
    row.outcome = decision.outcome;
    return row;
}

bool EvidenceWriter::counts_on(const Row& row, std::string_view time,
                               const Decision& decision) const
{
    // Same hour, not before the row's first item (a clock step back in the log opens a row of
    // its own, so last_time never precedes time), and the same facts (the row keeps its first
    // item's, which must stand for all of them).
    return same_hour(row.time, time) && time >= std::string_view(row.time) &&
           decision.reason == row.reason && decision.provider_code == row.provider_code &&
           decision.receiver == row.receiver && decision.named_ip == row.named_ip &&
           decision.outcome == row.outcome;
}

void EvidenceWriter::record(std::string_view time, SourceKind source, std::int64_t source_id,
                            const Decision& decision, std::int64_t observations)
{
    if (!decision.recorded) {
        return;
    }
    if (m_count >= k_max_pending) {
        write();
    }
    m_key.assign(decision.scope);
    auto open = m_open.find(m_key);
    if (decision.verdict != Verdict::clear || source != SourceKind::log) {
        // Anything but a clear log item stands alone, and anything non-clear of the scope ends
        // its open rows: the next success gets a row of its own (the first success after a
        // block is where an episode closes).
        if (decision.verdict != Verdict::clear && open != m_open.end()) {
            open->second.clear();
        }
        push(time, source, source_id, decision).observations =
            std::max<std::int64_t>(1, observations);
        return;
    }
    if (open == m_open.end()) {
        open = m_open.try_emplace(m_key).first;
    }
    const std::string_view ip = decision.ip.empty() ? std::string_view(m_unnamed_ip) : decision.ip;
    for (OpenRow& candidate : open->second) {
        if (candidate.ip != ip) {
            continue;
        }
        Row& row = m_rows[candidate.index];
        if (counts_on(row, time, decision)) {
            ++row.observations;
            row.last_time.assign(time);
            return;
        }
        push(time, source, source_id, decision);
        candidate.index = m_count - 1;
        return;
    }
    push(time, source, source_id, decision);
    open->second.push_back(OpenRow{std::string(ip), m_count - 1});
}

void EvidenceWriter::write()
{
    for (std::size_t i = 0; i < m_count; ++i) {
        const Row& row = m_rows[i];
        store::EvidenceRowView out;
        out.time = row.time;
        out.ip = row.ip;
        out.scope = row.scope;
        out.verdict = name(row.verdict);
        out.reason = row.reason;
        out.provider_code = row.provider_code;
        out.source_kind = name(row.source);
        out.source_id = row.source_id;
        out.observations = row.observations;
        // A row of one success, or of several in the same second, has no distinct last time.
        if (!row.last_time.empty() && row.last_time != row.time) {
            out.last_time = row.last_time;
        }
        out.receiver = row.receiver;
        out.named_ip = row.named_ip;
        out.outcome = name(row.outcome);
        m_out.add(out);
    }
    m_count = 0;
    m_open.clear();
    m_out.write();
}

void EvidenceWriter::discard()
{
    m_count = 0;
    m_open.clear();
    m_out.discard();
}

} // namespace smtpprobe::evidence
