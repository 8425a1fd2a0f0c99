// The alert outbox's SQL (see alert_rows.hpp).
#include "monitor/store/alert_rows.hpp"

namespace smtpprobe::store {

AlertEventWriter::AlertEventWriter(Database& db)
    : m_db(db),
      m_insert_event(db, "INSERT OR IGNORE INTO alert_event(event_key, kind, created, payload) "
                         "VALUES (?, ?, ?, ?)"),
      m_insert_delivery(db, "INSERT OR IGNORE INTO alert_delivery(event_id, channel, "
                            "next_attempt) VALUES (?, ?, ?)")
{
}

std::optional<std::int64_t> AlertEventWriter::add_event(const std::string& key,
                                                        const std::string& kind,
                                                        const std::string& created,
                                                        const std::string& payload)
{
    m_insert_event.bind(1, key).bind(2, kind).bind(3, created).bind(4, payload);
    m_insert_event.run();
    if (m_db.changes() == 0) {
        return std::nullopt;
    }
    return m_db.last_insert_id();
}

void AlertEventWriter::add_delivery(std::int64_t event_id, const std::string& channel,
                                    const std::string& next_attempt)
{
    m_insert_delivery.bind(1, event_id).bind(2, channel).bind(3, next_attempt);
    m_insert_delivery.run();
}

std::vector<DueDelivery> read_due_deliveries(Database& db, const std::string& now)
{
    Statement st(db, "SELECT d.event_id, d.channel, d.attempts, e.payload "
                     "FROM alert_delivery d JOIN alert_event e ON e.id = d.event_id "
                     "WHERE d.state = 'pending' AND d.next_attempt <= ? "
                     "ORDER BY d.event_id, d.channel");
    st.bind(1, now);
    std::vector<DueDelivery> due;
    while (st.step()) {
        due.push_back({st.column_int(0), st.column_text(1), static_cast<int>(st.column_int(2)),
                       st.column_text(3)});
    }
    return due;
}

void update_delivery(Database& db, const DeliveryOutcome& outcome)
{
    db.prepare("UPDATE alert_delivery SET state = ?, attempts = ?, next_attempt = ?, "
               "last_error = ?, sent_at = ? WHERE event_id = ? AND channel = ?")
        .bind(1, outcome.state)
        .bind(2, outcome.attempts)
        .bind(3, outcome.next_attempt)
        .bind(4, outcome.last_error)
        .bind(5, outcome.sent_at)
        .bind(6, outcome.event_id)
        .bind(7, outcome.channel)
        .run();
}

} // namespace smtpprobe::store
