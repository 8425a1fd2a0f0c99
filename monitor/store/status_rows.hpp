// Bounded reads for the status screen (monitor/status/status_screen.hpp): the findings and
// notes of a time window, counted and newest first, and how many block episodes ended in it,
// so `status` shows one screen without loading the whole history. Reads only.
//
// Times are the store's ISO 8601 UTC text ("2026-03-11T20:18:23Z"); a window is
// [since, until): an empty since is the beginning, an empty until the end of time.
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/history_rows.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::store {

struct TimeRange {
    std::string since; // inclusive; "" = from the beginning
    std::string until; // exclusive; "" = to the end
};

// The findings of one kind in a window: how many, and the newest of them.
struct FindingKindSummary {
    std::string kind;
    std::int64_t count = 0;
    FindingRow newest;
};

// One summary per finding kind with a finding in the window, the kind with the newest
// finding first.
std::vector<FindingKindSummary> summarize_findings(Database& db, const TimeRange& window);

// The notes of the window, newest first, at most limit of them; total gets their number.
std::vector<NoteRow> read_recent_notes(Database& db, const TimeRange& window, std::size_t limit,
                                       std::int64_t* total);

// How many block episodes closed in the window.
std::int64_t count_closed_episodes(Database& db, const TimeRange& window);

} // namespace smtpprobe::store
