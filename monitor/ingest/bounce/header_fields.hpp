// "Name: value" field blocks as found in message headers, RFC 3464 delivery-status groups
// and ARF feedback reports: folded continuation lines are unfolded, names compared without
// case. Bounded: at most k_max_fields fields, each value at most k_max_field_bytes.
#pragma once

#include "monitor/ingest/bounce/byte_scan.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

inline constexpr std::size_t k_max_fields = 4096;
inline constexpr std::size_t k_max_field_bytes = 16 * 1024;

struct Field {
    std::string name;  // lower case
    std::string value; // unfolded, trimmed; continuation lines joined with one space
};

// Trims spaces, tabs and newlines at both ends.
std::string_view trim(std::string_view text);

// Calls on_field(name, value) for each field of the first group of text, in order, as
// parse_field_group reads them: name as written (compare it ignoring case), value unfolded and
// trimmed (valid during the call only: a view into text, or into buffer for a folded value).
// Returns the offset just after the group (parse_field_group's consumed). No allocation but
// buffer's, for folded values.
template <typename OnField>
std::size_t visit_field_group(std::string_view text, std::string& buffer, OnField&& on_field);

// One group of fields: lines up to the first blank line (or the end). Lines that are not
// fields and do not continue one are ignored. consumed (optional) receives the offset just
// after the group's terminating blank line.
std::vector<Field> parse_field_group(std::string_view text, std::size_t* consumed = nullptr);

// The fields of parse_field_group(text) whose name is one of wanted (lower case), in order:
// field_value gives for them what it gives on the whole group, without building the others
// (a returned original's header has dozens of Received and X- fields for five read ones).
std::vector<Field> parse_selected_fields(std::string_view text,
                                         std::initializer_list<std::string_view> wanted);

// Every group of text, split at blank lines; empty groups dropped.
std::vector<std::vector<Field>> parse_field_groups(std::string_view text);

// The first value of name (lower case) in fields, "" if absent.
const std::string& field_value(const std::vector<Field>& fields, std::string_view name);

// Lower-cases ASCII.
std::string lower_ascii(std::string_view text);

// text.find(needle, from), by memmem on long texts and a plain loop on short ones:
// std::string::find calls memchr and memcmp once per occurrence of the needle's first
// character, which dominates on long report texts.
std::size_t find_text(std::string_view text, std::string_view needle, std::size_t from = 0);

// The needles of a fixed list indexed by their first byte, so that a text can be searched for
// all of them in one pass: a table lookup per byte, a comparison only where a needle starts.
template <std::size_t N>
class NeedleSet {
public:
    explicit constexpr NeedleSet(const std::array<std::string_view, N>& needles)
        : m_needles(needles)
    {
        for (std::size_t k = 0; k < N; ++k) {
            m_by_first[static_cast<unsigned char>(needles[k][0])] |= 1ULL << k;
        }
    }
    // Calls found(k, at) for every occurrence at of needle k in text, in text order.
    template <typename Found>
    void each(std::string_view text, Found&& found) const
    {
        for (std::size_t at = 0; at < text.size(); ++at) {
            std::uint64_t candidates = m_by_first[static_cast<unsigned char>(text[at])];
            while (candidates != 0) {
                const int k = __builtin_ctzll(candidates);
                candidates &= candidates - 1;
                const std::string_view needle = m_needles[k];
                // The second byte inline first: most first-byte hits end there.
                if (needle.size() <= text.size() - at &&
                    (needle.size() < 2 || text[at + 1] == needle[1]) &&
                    text.substr(at).starts_with(needle)) {
                    found(static_cast<std::size_t>(k), at);
                }
            }
        }
    }

private:
    std::array<std::string_view, N> m_needles;
    std::array<std::uint64_t, 256> m_by_first{};
};

// Drops an RFC 3464 type prefix: "rfc822; a@b" -> "a@b", "smtp; 550 ..." -> "550 ...".
std::string_view strip_type(std::string_view value);

// An address without angle brackets, quotes or a trailing dot.
std::string clean_address(std::string_view value);

namespace detail {

inline bool is_field_name_byte(char c)
{
    return c > 32 && c < 127 && c != ':';
}

} // namespace detail

template <typename OnField>
std::size_t visit_field_group(std::string_view text, std::string& buffer, OnField&& on_field)
{
    std::size_t pos = 0;
    std::size_t count = 0; // fields of the group: at most k_max_fields
    bool last_was_field = false;
    bool pending = false;   // a field read, not handed over yet (continuation lines may follow)
    bool in_buffer = false; // its value was unfolded into buffer
    std::string_view name;
    std::string_view value;
    auto hand_over = [&]() {
        if (pending) {
            on_field(name, in_buffer ? std::string_view(buffer) : value);
            pending = false;
        }
    };
    while (pos < text.size() && text[pos] == '\n') {
        ++pos; // leading blank lines
    }
    while (pos < text.size()) {
        const std::size_t end = find_char(text, '\n', pos);
        const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
        std::string_view line = text.substr(pos, next - pos);
        if (!line.empty() && line.back() == '\n') {
            line.remove_suffix(1);
        }
        pos = next;
        if (trim(line).empty()) {
            break;
        }
        if ((line[0] == ' ' || line[0] == '\t') && last_was_field) {
            if (!in_buffer) {
                buffer.assign(value);
                in_buffer = true;
            }
            if (buffer.size() < k_max_field_bytes) {
                const std::string_view more = trim(line);
                if (!buffer.empty()) {
                    buffer += ' ';
                }
                buffer.append(more.substr(0, k_max_field_bytes - buffer.size()));
            }
            continue;
        }
        const std::size_t colon = line.find(':');
        std::size_t name_end = 0;
        while (name_end < line.size() && detail::is_field_name_byte(line[name_end])) {
            ++name_end;
        }
        // Tolerate "Name : value".
        std::size_t after = name_end;
        while (after < line.size() && (line[after] == ' ' || line[after] == '\t')) {
            ++after;
        }
        if (colon == std::string_view::npos || name_end == 0 || after != colon ||
            count >= k_max_fields) {
            last_was_field = false;
            continue;
        }
        hand_over();
        name = line.substr(0, name_end);
        value = trim(line.substr(colon + 1)).substr(0, k_max_field_bytes);
        in_buffer = false;
        pending = true;
        ++count;
        last_was_field = true;
    }
    hand_over();
    return pos;
}

} // namespace smtpprobe::ingest
