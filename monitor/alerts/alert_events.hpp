// The alert events derived from the store, with their unique keys and JSON payloads
// (docs/alerts.md). Internal to monitor/alerts.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace smtpprobe::alerts {

struct AlertEvent {
    std::string key;  // unique per change
    std::string kind; // episode_opened | episode_closed | dnsbl_listed | dnsbl_delisted |
                      // backscatter | finding
    std::string time; // when the change happened (ISO 8601 UTC)
    nlohmann::json payload;
};

// Every event the current store implies (the outbox keeps only the new ones).
std::vector<AlertEvent> current_events(store::Database& db, const config::Config& config);

// A one-line human summary of an event (no CR/LF; peer text escaped).
std::string summary(const nlohmann::json& payload);

} // namespace smtpprobe::alerts
