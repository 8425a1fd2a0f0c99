// Due times of periodic tasks (see run_schedule.hpp).
#include "monitor/run/run_schedule.hpp"

#include <algorithm>
#include <random>

namespace smtpprobe::monitor {

bool task_due(store::Database& db, const std::string& task, Clock::time_point now)
{
    store::Statement st(db, "SELECT next_due FROM run_schedule WHERE task = ?");
    st.bind(1, task);
    if (!st.step()) {
        return true;
    }
    auto next = parse_iso_utc(st.column_text(0));
    return !next || *next <= now;
}

Clock::time_point task_done(store::Database& db, const std::string& task, Clock::time_point now,
                            const TaskTiming& timing, const std::string& result)
{
    std::chrono::seconds jitter{0};
    if (timing.jitter.count() > 0) {
        std::random_device seed;
        std::uniform_int_distribution<long long> pick(0, timing.jitter.count());
        jitter = std::chrono::seconds(pick(seed));
    }
    auto wait = std::max(timing.interval + jitter, timing.min_interval);
    Clock::time_point next = now + wait;
    db.prepare(
          "INSERT INTO run_schedule(task, last_run, next_due, last_result) VALUES (?, ?, ?, ?) "
          "ON CONFLICT(task) DO UPDATE SET last_run = excluded.last_run, "
          "next_due = excluded.next_due, last_result = excluded.last_result")
        .bind(1, task)
        .bind(2, iso_utc(now))
        .bind(3, iso_utc(next))
        .bind(4, result)
        .run();
    return next;
}

std::optional<std::string> task_last_run(store::Database& db, const std::string& task)
{
    store::Statement st(db, "SELECT last_run FROM run_schedule WHERE task = ?");
    st.bind(1, task);
    if (st.step()) {
        return st.column_text(0);
    }
    return std::nullopt;
}

} // namespace smtpprobe::monitor
