// Diagnostics on stderr for every layer: one line per message, levels error/warn/info/debug,
// filtered by a verbosity set once from -v/-q. Under systemd (JOURNAL_STREAM names our stderr)
// each line carries a "<N>" syslog priority prefix so journald files it at the right level;
// otherwise lines read "smtpprobe: warning: ...", coloured only on a terminal without NO_COLOR.
// Messages are written with one write() each, so concurrent threads never interleave a line.
//
// Contract for callers: peer text (replies, log lines, headers) goes through
// smtpprobe::printable() before it is passed here; this module does not escape.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace smtpprobe::log {

enum class Level { error = 3, warn = 4, info = 6, debug = 7 }; // syslog priorities

// 0 (default) shows error, warn, info; -1 (-q) hides info; -2 (-qq) hides warnings; 1 (-v)
// adds debug.
void set_verbosity(int verbosity);
int verbosity();
// Whether a message at level would be written now.
bool enabled(Level level);

// Whether stderr goes to journald (JOURNAL_STREAM names it): lines then carry "<N>" prefixes.
// For code that writes its own stderr lines (main's one-line failures) and wants the priority.
bool to_journal();

// Writes one line at level (if enabled). Newlines inside message are kept as separate lines,
// each with the prefix.
void write(Level level, std::string_view message);

// The formatting, exposed for tests: journal = "<N>" prefixes, color = ANSI colour.
std::string format(Level level, std::string_view message, bool journal, bool color);

// Concatenates parts with operator<< and writes them at the level.
template <typename... Parts>
void emit(Level level, const Parts&... parts)
{
    if (!enabled(level)) {
        return;
    }
    std::ostringstream line;
    (line << ... << parts);
    write(level, line.str());
}

template <typename... Parts>
void error(const Parts&... parts)
{
    emit(Level::error, parts...);
}

template <typename... Parts>
void warn(const Parts&... parts)
{
    emit(Level::warn, parts...);
}

template <typename... Parts>
void info(const Parts&... parts)
{
    emit(Level::info, parts...);
}

template <typename... Parts>
void debug(const Parts&... parts)
{
    emit(Level::debug, parts...);
}

} // namespace smtpprobe::log
