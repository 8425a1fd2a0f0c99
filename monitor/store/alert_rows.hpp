// The SQL of the alert outbox (schema 004: alert_event, alert_delivery): events recorded once
// under a unique key, one delivery per configured channel, the deliveries due and their
// outcome. monitor/alerts/alert_outbox.hpp decides what is sent when.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// Adds events and their deliveries with statements prepared once (the caller's transaction).
class AlertEventWriter {
public:
    explicit AlertEventWriter(Database& db);

    // Records an event under its unique key; the new row's id, or nullopt when the key is
    // already recorded (a change alerted, or deliberately not, before).
    std::optional<std::int64_t> add_event(const std::string& key, const std::string& kind,
                                          const std::string& created, const std::string& payload);
    // A pending delivery of the event on one channel (kept when it exists already).
    void add_delivery(std::int64_t event_id, const std::string& channel,
                      const std::string& next_attempt);

private:
    Database& m_db;
    Statement m_insert_event;
    Statement m_insert_delivery;
};

// A pending delivery whose next attempt is due, with its event's payload.
struct DueDelivery {
    std::int64_t event_id = 0;
    std::string channel;
    int attempts = 0;
    std::string payload; // JSON text
};
// Pending deliveries with next_attempt <= now, ordered by event and channel.
std::vector<DueDelivery> read_due_deliveries(Database& db, const std::string& now);

// The outcome of one delivery attempt.
struct DeliveryOutcome {
    std::int64_t event_id = 0;
    std::string channel;
    std::string state; // pending | sent | failed
    int attempts = 0;
    std::string next_attempt;
    std::optional<std::string> last_error; // nullopt after a success
    std::optional<std::string> sent_at;    // set when sent
};
void update_delivery(Database& db, const DeliveryOutcome& outcome);

} // namespace smtpprobe::store
