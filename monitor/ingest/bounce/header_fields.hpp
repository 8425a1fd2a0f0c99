// "Name: value" field blocks as found in message headers, RFC 3464 delivery-status groups
// and ARF feedback reports: folded continuation lines are unfolded, names compared without
// case. Bounded: at most k_max_fields fields, each value at most k_max_field_bytes.
#pragma once

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

// Trims spaces, tabs and newlines at both ends.
std::string_view trim(std::string_view text);

// Drops an RFC 3464 type prefix: "rfc822; a@b" -> "a@b", "smtp; 550 ..." -> "550 ...".
std::string_view strip_type(std::string_view value);

// An address without angle brackets, quotes or a trailing dot.
std::string clean_address(std::string_view value);

} // namespace smtpprobe::ingest
