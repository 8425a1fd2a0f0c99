// Incremental reply parser: finds line ends with memchr, keeps a bounded line buffer (see header).
#include "probe/reply_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace smtpprobe::probe {

std::string Reply::text() const
{
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += '\n';
        }
        out += lines[i];
    }
    return out;
}

std::string Reply::wire_text() const
{
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i > 0) {
            out += '\n';
        }
        out += std::to_string(code);
        out += (i + 1 == lines.size()) ? ' ' : '-';
        out += lines[i];
    }
    return out;
}

namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Digits [pos, end) of a 1-3 digit number; returns the index after them or npos.
std::size_t digits(const std::string& text, std::size_t pos, std::size_t max_digits)
{
    std::size_t n = 0;
    while (pos + n < text.size() && is_digit(text[pos + n]) && n <= max_digits) {
        ++n;
    }
    if (n == 0 || n > max_digits) {
        return std::string::npos;
    }
    return pos + n;
}

} // namespace

std::string enhanced_status_prefix(int code, const std::string& text)
{
    // class "2"/"4"/"5", subject 1-3 digits, detail 1-3 digits, then space or end.
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return {};
    }
    if (text[0] - '0' != code / 100) {
        return {};
    }
    std::size_t p = digits(text, 2, 3);
    if (p == std::string::npos || p >= text.size() || text[p] != '.') {
        return {};
    }
    std::size_t q = digits(text, p + 1, 3);
    if (q == std::string::npos || (q < text.size() && text[q] != ' ' && text[q] != '\t')) {
        return {};
    }
    return text.substr(0, q);
}

ReplyParser::ReplyParser(PeerLimits limits) : m_limits(limits) {}

void ReplyParser::fail(std::string reason)
{
    m_state = State::error;
    m_error = std::move(reason);
    m_line.clear();
    m_line.shrink_to_fit();
}

std::size_t ReplyParser::feed(std::string_view bytes)
{
    std::size_t used = 0;
    while (used < bytes.size() && m_state == State::incomplete) {
        // Scan no further than the reply-size limit allows; the byte after it is one too many.
        std::string_view rest = bytes.substr(used);
        std::size_t budget = m_limits.max_reply_bytes - m_bytes;
        std::size_t scan = std::min(rest.size(), budget);
        const void* newline = std::memchr(rest.data(), '\n', scan);
        std::size_t take =
            newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - rest.data())
                    : scan;
        std::size_t room =
            m_line.size() < m_limits.max_line_bytes ? m_limits.max_line_bytes - m_line.size() : 0;
        m_line.append(rest.data(), std::min(take, room));
        if (take > room) {
            m_line_cut = true;
        }
        used += take;
        m_bytes += take;
        if (newline) {
            ++used;
            ++m_bytes;
            finish_line();
            continue;
        }
        if (scan < rest.size()) {
            ++used;
            ++m_bytes;
            fail("reply larger than " + std::to_string(m_limits.max_reply_bytes) + " bytes");
            break;
        }
    }
    return used;
}

void ReplyParser::finish_line()
{
    if (!m_line.empty() && m_line.back() == '\r') {
        m_line.pop_back();
    }
    ++m_line_count;
    // "NNN" alone, "NNN text", "NNN-text": anything else is not an SMTP reply line.
    if (m_line.size() < 3 || !is_digit(m_line[0]) || !is_digit(m_line[1]) || !is_digit(m_line[2]) ||
        (m_line.size() > 3 && m_line[3] != ' ' && m_line[3] != '-')) {
        fail(m_line_count == 1 ? "reply line without a three-digit code"
                               : "continuation line without a three-digit code");
        return;
    }
    int code = 0;
    std::from_chars(m_line.data(), m_line.data() + 3, code);
    if (code < 100 || code > 599) {
        fail("reply code " + std::to_string(code) + " outside 1xx-5xx");
        return;
    }
    if (m_line_count == 1) {
        m_reply.code = code;
    } else if (code != m_reply.code) {
        fail("reply code changed between lines (" + std::to_string(m_reply.code) + " then " +
             std::to_string(code) + ")");
        return;
    }
    bool last = m_line.size() == 3 || m_line[3] == ' ';
    std::string text = m_line.size() > 4 ? m_line.substr(4) : std::string();
    if (m_line_count == 1) {
        m_reply.enhanced = enhanced_status_prefix(code, text);
    }
    if (m_line_cut) {
        m_reply.truncated = true;
    }
    if (m_reply.lines.size() < m_limits.max_reply_lines) {
        if (m_line_count == 1 && !last) {
            // A multi-line reply (an EHLO answer has about ten): grow once, not at 1, 2, 4, 8.
            m_reply.lines.reserve(std::min<std::size_t>(12, m_limits.max_reply_lines));
        }
        m_reply.lines.push_back(std::move(text));
    } else {
        // The last slot holds the latest line, so the final line (which often carries the
        // verdict) is always kept: the reply keeps its first max-1 lines and its last.
        m_reply.lines.back() = std::move(text);
        ++m_reply.skipped_lines;
        m_reply.truncated = true;
    }
    m_line.clear();
    m_line_cut = false;
    if (last) {
        m_state = State::complete;
    }
}

void ReplyParser::end_of_stream()
{
    if (m_state != State::incomplete) {
        return;
    }
    fail(m_bytes == 0 ? "connection closed by the peer"
                      : "connection closed in the middle of a reply");
}

ReplyOutcome ReplyParser::take()
{
    ReplyOutcome out;
    if (m_state == State::complete) {
        out.ok = true;
        out.reply = std::move(m_reply);
    } else {
        out.error = m_state == State::error ? m_error : "incomplete reply";
    }
    m_state = State::incomplete;
    m_reply = Reply{};
    m_line.clear();
    m_line_cut = false;
    m_bytes = 0;
    m_line_count = 0;
    m_error.clear();
    return out;
}

} // namespace smtpprobe::probe
