// Log ingestion's delivery and finding SQL (see delivery_rows.hpp).
#include "monitor/store/delivery_rows.hpp"

namespace smtpprobe::store {

DeliveryRows::DeliveryRows(Database& db, std::string node)
    : m_db(db), m_node(std::move(node)),
      m_insert(db, "INSERT OR IGNORE INTO delivery (time, mta, host, queue_id, sender, "
                   "recipient, orig_recipient, relay_host, relay_ip, relay_port, delay, "
                   "dsn, status, reply, provider, scope, reason, provider_code, about, "
                   "size, source_key, reply_truncated, node) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                   "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
                   "?21, ?22, ?23)"),
      m_insert_finding(db, "INSERT OR IGNORE INTO finding (time, kind, host, queue_id, detail, "
                           "source_kind, source_key, node) VALUES (?1, ?2, ?3, ?4, ?5, 'log', ?6, "
                           "?7)"),
      m_max_key(db, "SELECT max(source_key) FROM delivery WHERE source_key > ?1 AND "
                    "source_key < ?2"),
      m_max_id(db, "SELECT max(id) FROM delivery"),
      m_batch(db,
              "INSERT OR IGNORE INTO delivery (id, time, mta, host, queue_id, sender, "
              "recipient, orig_recipient, relay_host, relay_ip, relay_port, delay, dsn, "
              "status, reply, provider, scope, reason, provider_code, about, size, "
              "source_key, reply_truncated, node)",
              24, true)
{
}

std::optional<std::int64_t> DeliveryRows::insert(const DeliveryRowView& row)
{
    // Borrowed text: no copy per column (the row outlives run()).
    constexpr bool borrowed = true;
    auto& s = m_insert;
    s.bind_borrowed(1, row.time);
    s.bind_borrowed(2, row.mta);
    s.bind_text_or_null(3, row.host, borrowed);
    s.bind_text_or_null(4, row.queue_id, borrowed);
    if (row.sender) {
        s.bind_borrowed(5, *row.sender);
    } else {
        s.bind(5, nullptr);
    }
    s.bind_borrowed(6, row.recipient);
    s.bind_text_or_null(7, row.orig_recipient, borrowed);
    s.bind_text_or_null(8, row.relay_host, borrowed);
    s.bind_text_or_null(9, row.relay_ip, borrowed);
    if (row.relay_port > 0) {
        s.bind(10, row.relay_port);
    } else {
        s.bind(10, nullptr);
    }
    if (row.delay >= 0) {
        s.bind(11, row.delay);
    } else {
        s.bind(11, nullptr);
    }
    s.bind_text_or_null(12, row.dsn, borrowed);
    s.bind_borrowed(13, row.status);
    s.bind_text_or_null(14, row.reply, borrowed);
    s.bind_text_or_null(15, row.provider, borrowed);
    s.bind_text_or_null(16, row.scope, borrowed);
    s.bind_text_or_null(17, row.reason, borrowed);
    s.bind_text_or_null(18, row.provider_code, borrowed);
    s.bind_text_or_null(19, row.about, borrowed);
    if (row.size >= 0) {
        s.bind(20, row.size);
    } else {
        s.bind(20, nullptr);
    }
    s.bind_borrowed(21, row.source_key);
    s.bind(22, row.reply_truncated ? 1 : 0);
    s.bind_text_or_null(23, m_node, borrowed);
    s.run();
    if (m_db.changes() == 0) {
        return std::nullopt;
    }
    return m_db.last_insert_id();
}

void DeliveryRows::add_batched(std::int64_t id, const DeliveryRowView& row)
{
    auto& d = m_batch;
    d.add_int(id);
    d.add_text(row.time);
    d.add_text(row.mta);
    d.add_text_or_null(row.host);
    d.add_text_or_null(row.queue_id);
    if (row.sender) {
        d.add_text(*row.sender);
    } else {
        d.add_null();
    }
    d.add_text(row.recipient);
    d.add_text_or_null(row.orig_recipient);
    d.add_text_or_null(row.relay_host);
    d.add_text_or_null(row.relay_ip);
    if (row.relay_port > 0) {
        d.add_int(row.relay_port);
    } else {
        d.add_null();
    }
    if (row.delay >= 0) {
        d.add_real(row.delay);
    } else {
        d.add_null();
    }
    d.add_text_or_null(row.dsn);
    d.add_text(row.status);
    d.add_text_or_null(row.reply);
    d.add_text_or_null(row.provider);
    d.add_text_or_null(row.scope);
    d.add_text_or_null(row.reason);
    d.add_text_or_null(row.provider_code);
    d.add_text_or_null(row.about);
    if (row.size >= 0) {
        d.add_int(row.size);
    } else {
        d.add_null();
    }
    d.add_text(row.source_key);
    d.add_int(row.reply_truncated ? 1 : 0);
    d.add_text_or_null(m_node);
}

std::optional<std::string> DeliveryRows::max_source_key(std::string_view low, std::string_view high)
{
    m_max_key.bind(1, low);
    m_max_key.bind(2, high);
    std::optional<std::string> out;
    if (m_max_key.step() && !m_max_key.is_null(0)) {
        out = m_max_key.column_text(0);
    }
    m_max_key.reset();
    return out;
}

std::int64_t DeliveryRows::next_delivery_id()
{
    std::int64_t next = m_max_id.step() ? m_max_id.column_int(0) + 1 : 1;
    m_max_id.reset();
    return next;
}

bool DeliveryRows::insert_finding(const LogFindingView& finding)
{
    auto& s = m_insert_finding;
    s.bind(1, finding.time);
    s.bind(2, finding.kind);
    s.bind_text_or_null(3, finding.host);
    s.bind_text_or_null(4, finding.queue_id);
    s.bind_text_or_null(5, finding.detail);
    s.bind(6, finding.source_key);
    s.bind_text_or_null(7, m_node);
    s.run();
    return m_db.changes() > 0;
}

} // namespace smtpprobe::store
