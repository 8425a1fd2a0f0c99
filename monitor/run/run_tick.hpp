// `smtpprobe run`: one cron tick. Under the run lock (run_lock.hpp): ingest new log lines and
// bounces, run the probes and DNSBL checks that are due (run_schedule.hpp), fold the new
// evidence into episodes, enqueue and send the alerts, and report.
//
// Contract: safe every minute: nothing that is not due is done; every part runs even when an
// earlier one failed; the report says which part failed. Exit codes (DESIGN.md): 0 all clear,
// 1 something blocked or listed, 3 a part failed (it wins over 1: the picture is incomplete),
// k_exit_locked when another run holds the lock. Config errors (2) are the caller's.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/store/database.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace smtpprobe::monitor {

inline constexpr int k_exit_locked = 3; // another run holds the lock: we did nothing

struct RunOptions {
    std::string dns_server; // --dns-server; "" = the config's dns_server, else the system's
    bool force = false;     // --now: ignore the schedule
    std::string snds_url;   // --snds-url: "" = the config's [snds] url
};

struct RunReport {
    std::string started;
    std::vector<PartResult> parts;
    bool blocked = false;                    // something is blocked or listed after this tick
    std::vector<std::string> blocked_scopes; // "ip scope" of each blocked scope
    int new_alerts = 0;

    bool failed() const;
    int exit_code() const;
    nlohmann::json to_json() const;
    std::string to_text() const;
};

// Runs one tick on db (the caller holds the RunLock).
RunReport run_tick(store::Database& db, const config::Config& config, const RunOptions& options);

} // namespace smtpprobe::monitor
