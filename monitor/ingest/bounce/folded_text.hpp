// ASCII case-insensitive searching of peer text without a lower-case copy of it: the report
// scanners (reply_codes, text_report) used to lower-case whole texts (up to 16 KiB, several
// times per message) only to search them for a few lower-case phrases.
//
// Contract: every needle is lower case (ASCII letters a-z; other bytes compare as they are);
// a match is exactly where lower_ascii(text).find(needle) would find one. Linear, no
// allocation, never throws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smtpprobe::ingest {

// c in ASCII lower case (only A-Z change).
constexpr char fold_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether text starts with lower, ignoring ASCII case.
constexpr bool starts_with_folded(std::string_view text, std::string_view lower)
{
    if (text.size() < lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < lower.size(); ++i) {
        if (fold_ascii(text[i]) != lower[i]) {
            return false;
        }
    }
    return true;
}

// lower_ascii(text).find(lower, from): the first match at or after from, npos if none.
std::size_t find_folded(std::string_view text, std::string_view lower, std::size_t from = 0);

// A fixed list of lower-case needles indexed by their first byte in both cases, so that a text
// can be searched for all of them in one pass, ignoring ASCII case: a table lookup per byte,
// a comparison only where a needle may start.
template <std::size_t N>
class FoldedNeedleSet {
public:
    static_assert(N <= 64, "one bit per needle");

    explicit constexpr FoldedNeedleSet(const std::array<std::string_view, N>& needles)
        : m_needles(needles)
    {
        for (std::size_t k = 0; k < N; ++k) {
            const char first = needles[k][0];
            m_by_first[static_cast<unsigned char>(first)] |= 1ULL << k;
            if (first >= 'a' && first <= 'z') {
                m_by_first[static_cast<unsigned char>(first - 'a' + 'A')] |= 1ULL << k;
            }
        }
    }

    // Calls found(k, at) for every occurrence at of needle k in text (ignoring case), in text
    // order (needles starting at the same byte: in list order).
    template <typename Found>
    void each(std::string_view text, Found&& found) const
    {
        for (std::size_t at = 0; at < text.size(); ++at) {
            std::uint64_t candidates = m_by_first[static_cast<unsigned char>(text[at])];
            while (candidates != 0) {
                const int k = __builtin_ctzll(candidates);
                candidates &= candidates - 1;
                const std::string_view needle = m_needles[k];
                if (needle.size() <= text.size() - at &&
                    (needle.size() < 2 || fold_ascii(text[at + 1]) == needle[1]) &&
                    starts_with_folded(text.substr(at), needle)) {
                    found(static_cast<std::size_t>(k), at);
                }
            }
        }
    }

private:
    std::array<std::string_view, N> m_needles;
    std::array<std::uint64_t, 256> m_by_first{};
};

} // namespace smtpprobe::ingest
