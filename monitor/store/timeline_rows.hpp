// The SQL of the timeline's episodes and notes in a window (web/api/timeline_api.cpp and the
// reports page): an episode belongs to [from, to] when it overlaps it (opened <= to, and still
// open or closed >= from); a note when its time is inside, and a note without IP or scope
// belongs to every lane. Reads only. Nullable columns are std::optional.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// The window: ip and scope nullopt = any; from and to ISO 8601 UTC (or sentinels).
struct TimeWindow {
    std::optional<std::string> ip;
    std::optional<std::string> scope;
    std::string from;
    std::string to;
};

// Binds a window's :ip, :scope (NULL = any), :from and :to, and :limit (the window queries
// of this file and report_views.hpp).
void bind_window(Statement& st, const TimeWindow& window, std::int64_t limit);

struct WindowEpisodeRow {
    std::int64_t id = 0;
    std::string ip;
    std::string scope;
    std::string opened;
    std::optional<std::string> closed;
    std::optional<std::int64_t> first_evidence;
    std::optional<std::int64_t> last_evidence;
    std::optional<std::string> reason;
    std::optional<std::string> codes; // JSON array
    std::int64_t evidence_count = 0;
};
// Episodes overlapping the window in (opened, id) order, at most limit.
std::vector<WindowEpisodeRow> read_episodes_in_window(Database& db, const TimeWindow& window,
                                                      std::int64_t limit);

struct WindowNoteRow {
    std::int64_t id = 0;
    std::string time;
    std::optional<std::string> ip;
    std::optional<std::string> scope;
    std::string text;
};
// Notes in the window in (time, id) order, at most limit.
std::vector<WindowNoteRow> read_notes_in_window(Database& db, const TimeWindow& window,
                                                std::int64_t limit);

} // namespace smtpprobe::store
