// Chunked line-ending normalisation and mbox splitting (see mbox_splitter.hpp).
#include "monitor/ingest/bounce/mbox_splitter.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace smtpprobe::ingest {

void LineEndingNormaliser::normalise(std::string_view chunk, std::string& out)
{
    if (chunk.empty()) {
        return;
    }
    std::size_t i = 0;
    if (m_after_cr) {
        m_after_cr = false;
        if (chunk[0] == '\n') {
            i = 1;
        }
    }
    out.reserve(out.size() + chunk.size() - i);
    // The bytes between two CRs appended whole (a byte-by-byte copy cost more than the rest
    // of reading an mbox with a few lone CRs in every chunk).
    while (i < chunk.size()) {
        const std::size_t cr = chunk.find('\r', i);
        if (cr == std::string_view::npos) {
            out.append(chunk.substr(i));
            return;
        }
        out.append(chunk.substr(i, cr - i));
        out.push_back('\n');
        if (cr + 1 == chunk.size()) {
            m_after_cr = true;
            return;
        }
        i = chunk[cr + 1] == '\n' ? cr + 2 : cr + 1;
    }
}

namespace {

// A From_ line in its full form, "From sender Www Mmm dd hh:mm:ss yyyy": some writers put it
// right after the previous message's last line, without the blank line mboxo asks for. A body
// line "From ..." without the weekday, month, time and year is not taken for one.
bool is_strict_from_line(std::string_view line)
{
    static constexpr std::string_view k_days[] = {"Mon ", "Tue ", "Wed ", "Thu ",
                                                  "Fri ", "Sat ", "Sun "};
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) {
        line.remove_suffix(1);
    }
    if (line.size() < 30 || line.size() > 300 || !line.starts_with("From ")) {
        return false;
    }
    const std::string_view year = line.substr(line.size() - 4);
    if (!std::all_of(year.begin(), year.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    const bool has_day = std::any_of(std::begin(k_days), std::end(k_days), [&](std::string_view d) {
        return line.find(d) != std::string_view::npos;
    });
    const std::size_t colon = line.find(':', 5);
    return has_day && colon != std::string_view::npos && colon + 3 < line.size() &&
           line[colon + 3] == ':';
}

} // namespace

MboxSplitter::MboxSplitter(std::size_t max_message_bytes, Sink sink)
    : m_max(max_message_bytes), m_sink(std::move(sink))
{
}

bool MboxSplitter::feed(std::string_view chunk)
{
    std::size_t pos = 0;
    while (pos < chunk.size() && !m_stopped) {
        const std::size_t end = find_char(chunk, '\n', pos);
        if (end == std::string_view::npos) {
            const std::string_view rest = chunk.substr(pos);
            if (m_long_line) {
                if (!m_long_skipped) {
                    append(rest);
                }
            } else {
                m_partial.append(rest);
                if (m_partial.size() > k_max_held_line) {
                    line(m_partial, false); // decided by its start; the rest streams on
                    m_partial.clear();
                }
            }
            break;
        }
        if (!m_long_line && m_partial.empty() && chunk[pos] != 'F' && chunk[pos] != '>') {
            // Complete lines that can neither start a message nor be an mboxrd quote (first
            // byte not 'F' or '>') go to the message as one run: one append, not one per line.
            // The run ends before the next line starting with 'F' or '>', else at the last
            // complete line of the chunk.
            std::size_t run_end = 0;
            const std::size_t before = find_line_before(chunk, end, 'F', '>');
            if (before != std::string_view::npos) {
                run_end = before + 1;
            } else {
                const void* last = memrchr(chunk.data() + end, '\n', chunk.size() - end);
                run_end =
                    static_cast<std::size_t>(static_cast<const char*>(last) - chunk.data()) + 1;
            }
            // Whether the run's last line is blank (what the next From_ line needs before it).
            const bool blank =
                run_end - 1 == pos || (run_end >= pos + 2 && chunk[run_end - 2] == '\n');
            m_previous_blank = blank;
            if (m_in_message) {
                append(chunk.substr(pos, run_end - pos));
            }
            pos = run_end;
            continue;
        }
        const std::string_view piece = chunk.substr(pos, end + 1 - pos);
        pos = end + 1;
        if (m_long_line) {
            if (!m_long_skipped) {
                append(piece);
            }
            m_long_line = false;
        } else if (!m_partial.empty()) {
            m_partial.append(piece);
            line(m_partial, true);
            m_partial.clear();
        } else {
            line(piece, true);
        }
    }
    return !m_stopped;
}

bool MboxSplitter::finish()
{
    if (m_stopped) {
        return false;
    }
    if (!m_partial.empty()) {
        line(m_partial, true); // the last line, without its newline
        m_partial.clear();
    }
    m_long_line = false;
    if (!m_stopped && !flush()) {
        m_stopped = true;
    }
    return !m_stopped;
}

bool MboxSplitter::starts_message(std::string_view text) const
{
    return text.starts_with("From ") && (m_previous_blank || is_strict_from_line(text));
}

void MboxSplitter::line(std::string_view text, bool complete)
{
    if (starts_message(text)) {
        if (!flush()) {
            m_stopped = true;
            return;
        }
        m_in_message = true;
        m_previous_blank = false;
        m_long_line = !complete;
        m_long_skipped = true;
        return;
    }
    m_previous_blank = text == "\n";
    if (!complete) {
        m_long_line = true;
        m_long_skipped = !m_in_message;
    }
    if (!m_in_message) {
        return;
    }
    // mboxrd: ">From ", ">>From " ... lose one '>'.
    const std::size_t quotes = text.find_first_not_of('>');
    if (quotes != 0 && quotes != std::string_view::npos &&
        text.substr(quotes).starts_with("From ")) {
        text.remove_prefix(1);
    }
    append(text);
}

void MboxSplitter::append(std::string_view text)
{
    m_size += text.size();
    // One byte over the limit is still held: the separator's newline may be dropped yet.
    if (m_size <= m_max + 1) {
        m_current.append(text);
    } else if (!m_current.empty()) {
        std::string().swap(m_current);
    }
}

bool MboxSplitter::flush()
{
    if (!m_in_message) {
        return true;
    }
    bool oversized = m_size > m_max + 1;
    if (!oversized) {
        // The blank line before the next From_ line belongs to the separator.
        if (m_current.size() >= 2 && m_current.ends_with("\n\n")) {
            m_current.pop_back();
        }
        oversized = m_current.size() > m_max;
    }
    if (oversized) {
        m_current.clear();
    }
    const bool go_on = m_sink(m_current, oversized);
    m_current.clear();
    m_size = 0;
    m_in_message = false;
    return go_on;
}

} // namespace smtpprobe::ingest
