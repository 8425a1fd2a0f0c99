// Where the returned copy of the original message starts in a plain-text report (see
// find_original_copy in text_report.hpp): a marker line ("--- Below this line is a copy of the
// message.") or, after a blank line, a run of header lines typical of a message.
#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/text_report.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace smtpprobe::ingest {

namespace {

// ASCII letters and digits (std::isalnum in the "C" locale the program runs in).
constexpr bool is_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr std::array<std::string_view, 17> k_copy_markers = {
    "below this line is a copy of the message",
    "copy of the message",
    "original message",
    "message headers follow",
    "returned message",
    "header of the original message",
    "headers of the original message",
    "original message headers",
    "undelivered message",
    "text of the message",
    "message header follows",
    "your message reads",
    "the first ",
    "original mail",
    "returned mail",
    "rfc822 message",
    "unsent message follows", // sendmail v5
};

// Whether a line holds one of k_copy_markers, ignoring case ("the first " only with "lines"):
// one pass over the line, each position compared with the markers starting with its byte.
bool names_copy_marker(std::string_view line)
{
    static const FoldedNeedleSet<k_copy_markers.size()> k_markers(k_copy_markers);
    bool named = false;
    k_markers.each(line, [&](std::size_t k, std::size_t) {
        named = named || k_copy_markers[k] != "the first " ||
                find_folded(line, "lines") != std::string_view::npos;
    });
    return named;
}

bool header_like(std::string_view line)
{
    if (line.empty() || line[0] == ' ' || line[0] == '\t') {
        return false;
    }
    const std::size_t colon = find_char(line, ':');
    if (colon == std::string_view::npos || colon == 0 || colon > 40) {
        return false;
    }
    for (std::size_t i = 0; i < colon; ++i) {
        const char c = line[i];
        if (!(is_ascii_alnum(c) || c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

bool original_header_name(std::string_view line)
{
    const std::string lower = lower_ascii(line.substr(0, line.find(':')));
    return lower == "received" || lower == "return-path" || lower == "message-id" ||
           lower == "dkim-signature" || lower == "mime-version" || lower == "x-mailer" ||
           lower == "date" || lower == "from" || lower == "subject";
}

} // namespace

std::size_t find_original_copy(std::string_view text)
{
    thread_local std::vector<std::string_view> lines; // reused: no allocation per message
    split_lines(text, lines);
    // Every copy marker holds "message" or "mail", or is "the first " with "lines": only a
    // line holding one of these three words is compared with the markers. next_word is the
    // next occurrence of one of them at or after the current line (npos: none left).
    static constexpr std::array<std::string_view, 3> k_marker_words = {"message", "mail", "lines"};
    static const FoldedNeedleSet<k_marker_words.size()> k_words(k_marker_words);
    std::size_t next_word = k_words.find_first(text);
    std::size_t offset = 0;
    bool previous_blank = true;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        const std::string_view trimmed = trim(line);
        if (next_word != std::string_view::npos && next_word < offset) {
            next_word = k_words.find_first(text, offset);
        }
        const bool has_word = next_word < offset + line.size();
        if (has_word && !trimmed.empty() && trimmed.size() < 90) {
            // A marker is decorated, or a short line of its own (after a blank line): not the
            // end of a sentence ("... from the attached returned message." in Postfix's
            // template is advice, not the copy).
            const bool decorated = trimmed[0] == '-' || trimmed[0] == '=' || trimmed[0] == '*' ||
                                   trimmed[0] == '_' || trimmed[0] == '[' ||
                                   (trimmed.size() < 60 && previous_blank);
            if (decorated && names_copy_marker(trimmed)) {
                return offset;
            }
        }
        // Three header lines in a row, one of them a typical message header, after a blank.
        if (previous_blank && i + 2 < lines.size() && header_like(line) &&
            (header_like(lines[i + 1]) || lines[i + 1].starts_with(" ") ||
             lines[i + 1].starts_with("\t")) &&
            (header_like(lines[i + 2]) || lines[i + 2].starts_with(" ") ||
             lines[i + 2].starts_with("\t"))) {
            int typical = 0;
            for (std::size_t j = i; j < std::min(lines.size(), i + 6); ++j) {
                typical += header_like(lines[j]) && original_header_name(lines[j]) ? 1 : 0;
            }
            if (typical >= 2) {
                return offset;
            }
        }
        previous_blank = trimmed.empty();
        offset += line.size() + 1;
    }
    return text.size();
}

} // namespace smtpprobe::ingest
