// Due times of periodic tasks (see run_schedule.hpp); the rows are the store's.
#include "monitor/run/run_schedule.hpp"

#include "monitor/store/schedule_rows.hpp"

#include <algorithm>
#include <random>

namespace smtpprobe::monitor {

bool task_due(store::Database& db, const std::string& task, Clock::time_point now)
{
    const auto row = store::read_schedule(db, task);
    if (!row) {
        return true;
    }
    auto next = parse_iso_utc(row->next_due);
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
    store::write_schedule(db, task, {iso_utc(now), iso_utc(next), result});
    return next;
}

std::optional<std::string> task_last_run(store::Database& db, const std::string& task)
{
    const auto row = store::read_schedule(db, task);
    return row ? std::optional<std::string>(row->last_run) : std::nullopt;
}

} // namespace smtpprobe::monitor
