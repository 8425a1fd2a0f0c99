// The SQL of run_schedule (schema 005): when each periodic task of `run` last ran and is due
// again, and the last probe time of a receiver per source IP that every probe path shares
// (monitor/probing/probe_pipeline.hpp). Times are ISO 8601 UTC text.
#pragma once

#include "monitor/store/database.hpp"

#include <optional>
#include <string>

namespace smtpprobe::store {

struct ScheduleRow {
    std::string last_run;
    std::string next_due;
    std::string last_result;
};

std::optional<ScheduleRow> read_schedule(Database& db, const std::string& task);
// Inserts or replaces the task's row.
void write_schedule(Database& db, const std::string& task, const ScheduleRow& row);
// Records a run at last_run without moving next_due earlier than it is (and to at least
// earliest_next): a probe outside the schedule still counts for the minimum interval.
void note_run(Database& db, const std::string& task, const std::string& last_run,
              const std::string& earliest_next, const std::string& result);

} // namespace smtpprobe::store
