// See log.hpp. The output mode (journal prefixes, colour) is decided once, from the
// environment and stderr, the first time something is logged.
#include "probe/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace smtpprobe::log {

namespace {

std::atomic<int> g_verbosity{0};

struct OutputMode {
    bool journal = false;
    bool color = false;
};

// JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected; it only counts when our
// stderr is still that stream (not redirected by a shell inside the unit).
bool stderr_is_journal()
{
    const char* value = std::getenv("JOURNAL_STREAM");
    if (value == nullptr || *value == '\0') {
        return false;
    }
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0) {
        return false;
    }
    const std::string expected = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
                                 std::to_string(static_cast<unsigned long long>(st.st_ino));
    return expected == value;
}

const OutputMode& output_mode()
{
    static const OutputMode mode = [] {
        OutputMode m;
        m.journal = stderr_is_journal();
        const char* no_color = std::getenv("NO_COLOR");
        const char* term = std::getenv("TERM");
        m.color = !m.journal && (no_color == nullptr || *no_color == '\0') &&
                  isatty(STDERR_FILENO) == 1 && term != nullptr && std::string(term) != "dumb";
        return m;
    }();
    return mode;
}

std::string_view label(Level level)
{
    switch (level) {
    case Level::error:
        return "error: ";
    case Level::warn:
        return "warning: ";
    case Level::info:
        return "";
    case Level::debug:
        return "debug: ";
    }
    return "";
}

std::string_view color_of(Level level)
{
    switch (level) {
    case Level::error:
        return "\033[1;31m";
    case Level::warn:
        return "\033[1;33m";
    case Level::debug:
        return "\033[2m";
    case Level::info:
        break;
    }
    return "";
}

} // namespace

bool to_journal()
{
    return output_mode().journal;
}

void set_verbosity(int verbosity)
{
    g_verbosity.store(verbosity);
}

int verbosity()
{
    return g_verbosity.load();
}

bool enabled(Level level)
{
    const int v = g_verbosity.load();
    switch (level) {
    case Level::error:
        return true;
    case Level::warn:
        return v >= -1;
    case Level::info:
        return v >= 0;
    case Level::debug:
        return v >= 1;
    }
    return false;
}

std::string format(Level level, std::string_view message, bool journal, bool color)
{
    std::string out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = message.find('\n', start);
        const std::string_view line = message.substr(
            start, end == std::string_view::npos ? message.size() - start : end - start);
        if (journal) {
            // journald shows the unit name itself; the priority prefix sets the level.
            out += "<" + std::to_string(static_cast<int>(level)) + ">";
            out += label(level);
        } else {
            out += "smtpprobe: ";
            const std::string_view tag = label(level);
            if (color && !tag.empty()) {
                out += color_of(level);
                out += tag;
                out += "\033[0m";
            } else {
                out += tag;
            }
        }
        out += line;
        out += '\n';
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

void write(Level level, std::string_view message)
{
    if (!enabled(level)) {
        return;
    }
    const OutputMode& mode = output_mode();
    const std::string text = format(level, message, mode.journal, mode.color);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
        if (n <= 0) {
            return; // stderr closed: nothing sensible left to do with a diagnostic
        }
        done += static_cast<std::size_t>(n);
    }
}

} // namespace smtpprobe::log
