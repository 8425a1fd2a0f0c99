// The bounce SQL (see bounce_rows.hpp).
#include "monitor/store/bounce_rows.hpp"

namespace smtpprobe::store {

BounceRows::BounceRows(Database& db, std::string node)
    : m_db(db), m_node(std::move(node)),
      m_seen(db, "SELECT 1 FROM bounce_message WHERE message_key = ?1"),
      m_insert_bounce(
          db, "INSERT OR IGNORE INTO bounce (time, file, message_id, kind, reporting_mta, "
              "arrival_date, recipient, original_recipient, action, status, reply_code, "
              "remote_mta, diagnostic, last_attempt, original_message_id, original_from, "
              "original_to, original_subject, original_date, named_ip, provider, scope, reason, "
              "provider_code, about, source_key, received_from_mta, sender, feedback_type, "
              "rule_id, node) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
              "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
              "?30, ?31)"),
      m_insert_message(db, "INSERT OR IGNORE INTO bounce_message (message_key, message_id, path, "
                           "kind, recipients, ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
{
}

bool BounceRows::seen(const std::string& message_key)
{
    m_seen.reset();
    m_seen.bind(1, message_key);
    const bool found = m_seen.step();
    m_seen.reset();
    return found;
}

std::optional<std::int64_t> BounceRows::insert_bounce(const BounceRowView& r)
{
    m_insert_bounce.bind(1, r.time)
        .bind(2, r.file)
        .bind_text_or_null(3, r.message_id)
        .bind(4, r.kind)
        .bind_text_or_null(5, r.reporting_mta)
        .bind_text_or_null(6, r.arrival_date)
        .bind_text_or_null(7, r.recipient)
        .bind_text_or_null(8, r.original_recipient)
        .bind_text_or_null(9, r.action)
        .bind_text_or_null(10, r.status)
        .bind(11, r.reply_code)
        .bind_text_or_null(12, r.remote_mta)
        .bind_text_or_null(13, r.diagnostic)
        .bind_text_or_null(14, r.last_attempt)
        .bind_text_or_null(15, r.original_message_id)
        .bind_text_or_null(16, r.original_from)
        .bind_text_or_null(17, r.original_to)
        .bind_text_or_null(18, r.original_subject)
        .bind_text_or_null(19, r.original_date)
        .bind_text_or_null(20, r.named_ip)
        .bind_text_or_null(21, r.provider)
        .bind_text_or_null(22, r.scope)
        .bind_text_or_null(23, r.reason)
        .bind_text_or_null(24, r.provider_code)
        .bind_text_or_null(25, r.about)
        .bind(26, r.source_key)
        .bind_text_or_null(27, r.received_from_mta)
        .bind_text_or_null(28, r.sender)
        .bind_text_or_null(29, r.feedback_type)
        .bind_text_or_null(30, r.rule_id)
        .bind_text_or_null(31, m_node);
    m_insert_bounce.run();
    if (m_db.changes() == 0) {
        return std::nullopt;
    }
    return m_db.last_insert_id();
}

void BounceRows::insert_message(const BounceMessageRowView& row)
{
    m_insert_message.bind(1, row.message_key)
        .bind_text_or_null(2, row.message_id)
        .bind(3, row.path)
        .bind(4, row.kind)
        .bind(5, row.recipients)
        .bind(6, row.ingested_at);
    m_insert_message.run();
}

} // namespace smtpprobe::store
