// Top-level header fields the bounce parser never reads, left out (see unread_headers.hpp).
#include "monitor/ingest/bounce/unread_headers.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/mime_reader.hpp"

#include <array>

namespace smtpprobe::ingest {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view lower)
{
    if (a.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != lower[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

bool is_read_header(std::string_view name)
{
    static constexpr std::array<std::string_view, 10> k_read = {
        "from",           "to",          "subject",       "date",       "message-id",
        "auto-submitted", "x-autoreply", "x-autorespond", "precedence", "mime-version"};
    if (name.size() >= 8 && equals_ignoring_case(name.substr(0, 8), "content-")) {
        return true;
    }
    for (std::string_view read : k_read) {
        if (equals_ignoring_case(name, read)) {
            return true;
        }
    }
    // The fields that tell which software wrote the report (report_format).
    return name.size() <= 64 && is_marker_field(lower_ascii(name));
}

namespace {

// The field name of a "Name: value" line (no space before the colon), "" if it is not one.
std::string_view field_name(std::string_view line)
{
    std::size_t end = 0;
    while (end < line.size() && line[end] > 32 && line[end] < 127 && line[end] != ':') {
        ++end;
    }
    return end > 0 && end < line.size() && line[end] == ':' ? line.substr(0, end)
                                                            : std::string_view();
}

} // namespace

std::string without_unread_headers(std::string_view content)
{
    std::string out;
    std::size_t pos = 0;
    bool dropping = false;
    bool dropped = false;
    while (pos < content.size()) {
        const std::size_t end = find_char(content, '\n', pos);
        if (end == std::string_view::npos) {
            return {}; // a header without a body: nothing worth the copy
        }
        const std::string_view line = content.substr(pos, end + 1 - pos);
        const std::string_view text = line.substr(0, line.size() - 1);
        if (text.empty()) {
            break; // the blank line: the header ends
        }
        if (text.find_first_not_of(" \t") == std::string_view::npos) {
            return {}; // whitespace-only line: leave the reading of it to GMime
        }
        if (text[0] == ' ' || text[0] == '\t') {
            if (!dropping) {
                out.append(line);
            }
        } else {
            const std::string_view name = field_name(text);
            if (name.empty()) {
                return {};
            }
            dropping = !is_read_header(name);
            dropped = dropped || dropping;
            if (!dropping) {
                out.append(line);
            }
        }
        pos = end + 1;
    }
    if (!dropped) {
        return {};
    }
    out.append(content.substr(pos));
    return out;
}

} // namespace smtpprobe::ingest
