// run_schedule SQL (see schedule_rows.hpp).
#include "monitor/store/schedule_rows.hpp"

namespace smtpprobe::store {

std::optional<ScheduleRow> read_schedule(Database& db, const std::string& task)
{
    Statement st(db, "SELECT last_run, next_due, coalesce(last_result, '') FROM run_schedule "
                     "WHERE task = ?");
    st.bind(1, task);
    if (!st.step()) {
        return std::nullopt;
    }
    return ScheduleRow{st.column_text(0), st.column_text(1), st.column_text(2)};
}

void write_schedule(Database& db, const std::string& task, const ScheduleRow& row)
{
    db.prepare(
          "INSERT INTO run_schedule(task, last_run, next_due, last_result) VALUES (?, ?, ?, ?) "
          "ON CONFLICT(task) DO UPDATE SET last_run = excluded.last_run, "
          "next_due = excluded.next_due, last_result = excluded.last_result")
        .bind(1, task)
        .bind(2, row.last_run)
        .bind(3, row.next_due)
        .bind(4, row.last_result)
        .run();
}

void note_run(Database& db, const std::string& task, const std::string& last_run,
              const std::string& earliest_next, const std::string& result)
{
    // ISO 8601 UTC text sorts like time: max() of two is the later.
    db.prepare(
          "INSERT INTO run_schedule(task, last_run, next_due, last_result) VALUES (?, ?, ?, ?) "
          "ON CONFLICT(task) DO UPDATE SET last_run = excluded.last_run, "
          "next_due = max(run_schedule.next_due, excluded.next_due), "
          "last_result = excluded.last_result")
        .bind(1, task)
        .bind(2, last_run)
        .bind(3, earliest_next)
        .bind(4, result)
        .run();
}

} // namespace smtpprobe::store
