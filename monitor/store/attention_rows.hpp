// The SQL behind the "needs attention" list (monitor/status/attention_list.hpp) and the DNSBL
// page's history columns: findings grouped by kind and subject, the latest DSN test of each
// target, the periodic tasks of `run` with when they last ran, and when each (IP, scope)'s
// last block episode closed. Reads only; safe on a read-only connection; every value bound.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::store {

// Findings (table finding) of one kind about one (ip, scope): how many, the newest one's
// time, detail and action. Backscatter from a log has ip and scope "".
struct FindingGroup {
    std::string kind;
    std::string ip;
    std::string scope;
    std::int64_t count = 0;
    std::string first_time;
    std::string last_time;
    std::string detail; // of the newest finding ("" when none)
    std::string action; // of the newest finding ("" when none)
    std::int64_t last_id = 0;
};
// Every group, newest first (bounded by the number of kinds x subjects, not of rows).
std::vector<FindingGroup> read_finding_groups(Database& db);

// The newest `dsn-test` probe run of each target.
struct DsnTestRow {
    std::int64_t id = 0;
    std::string time;
    std::string target;
    std::string mx_host;
    std::string verdict; // backscatter-risk | safe | inconclusive ("" when not annotated)
};
std::vector<DsnTestRow> latest_dsn_tests(Database& db);

// One periodic task of `run` (table run_schedule): "probe:<receiver>:<ip>", "dnsbl:<ip>" ...
struct TaskRow {
    std::string task;
    std::string last_run;
    std::string next_due;
    std::string last_result;
};
// Every task, ordered by name.
std::vector<TaskRow> read_tasks(Database& db);

// The close time of the newest closed episode of each (ip, scope) whose scope starts with
// scope_prefix ("dnsbl/"), ordered by ip then scope.
struct ClosedEpisode {
    std::string ip;
    std::string scope;
    std::string opened;
    std::string closed;
};
std::vector<ClosedEpisode> latest_closed_episodes(Database& db, const std::string& scope_prefix);

} // namespace smtpprobe::store
