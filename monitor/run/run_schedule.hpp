// When the periodic tasks of `smtpprobe run` are due (table run_schedule, schema 005). A task
// never seen is due at once. After a task runs its next due time is now + interval + a random
// jitter in [0, jitter], but never earlier than now + min_interval, so a receiver is never
// probed more often than its minimum interval, whatever the cron frequency or a failed run.
#pragma once

#include "monitor/status/iso_time.hpp"
#include "monitor/store/database.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace smtpprobe::monitor {

struct TaskTiming {
    std::chrono::seconds interval;
    std::chrono::seconds min_interval{0};
    std::chrono::seconds jitter{0};
};

// Whether task is due at now.
bool task_due(store::Database& db, const std::string& task, Clock::time_point now);
// Records that task ran at now with result ("ok", "blocked", "failed: ..."); returns the next
// due time.
Clock::time_point task_done(store::Database& db, const std::string& task, Clock::time_point now,
                            const TaskTiming& timing, const std::string& result);
// The last run time of task, if any.
std::optional<std::string> task_last_run(store::Database& db, const std::string& task);

} // namespace smtpprobe::monitor
