// Alerts, each once per change. enqueue_alerts() derives events from the store (episode
// opened/closed, DNSBL listed/delisted = episodes of a "dnsbl/..." scope, and findings such as
// backscatter) and records each in alert_event under a unique key, with one pending
// alert_delivery per configured channel; re-running finds the keys present and adds nothing.
// dispatch_alerts() sends what is due: webhooks (retried within the run with back-off),
// command hooks, mail; a failure is retried on later runs with exponential back-off
// (retry_base x 2^(attempts-1)) until max_attempts, then marked failed.
//
// Events older than k_alert_max_age when first seen (history ingested late: last year's log)
// are recorded but not sent. The payload is documented in docs/alerts.md.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/status/iso_time.hpp"
#include "monitor/store/database.hpp"

#include <string>
#include <vector>

namespace smtpprobe::alerts {

inline constexpr std::chrono::hours k_alert_max_age{24 * 7};

struct EnqueueResult {
    int new_events = 0;
    int stale_events = 0; // recorded but too old to send
};

struct DispatchResult {
    int sent = 0;
    int retry_later = 0;
    int failed = 0;                  // gave up (max attempts, or a permanent error)
    std::vector<std::string> errors; // one line per failed attempt
};

EnqueueResult enqueue_alerts(store::Database& db, const config::Config& config,
                             monitor::Clock::time_point now);

DispatchResult dispatch_alerts(store::Database& db, const config::Config& config,
                               monitor::Clock::time_point now);

} // namespace smtpprobe::alerts
