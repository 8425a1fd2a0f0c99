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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// A fixed list of lower-case needles (each of two bytes or more) indexed by their first byte
// in both cases, so that a text can be searched for all of them in one pass, ignoring ASCII
// case. Sixteen positions at a time (SSE2) are tested against the needles' first two bytes;
// only where a pair matches are the needles starting there compared whole.
template <std::size_t N>
class FoldedNeedleSet {
public:
    static_assert(N <= 64, "one bit per needle");
    static constexpr std::size_t k_max_pairs = 16;

    explicit constexpr FoldedNeedleSet(const std::array<std::string_view, N>& needles)
        : m_needles(needles)
    {
        for (std::size_t k = 0; k < N; ++k) {
            const char first = needles[k][0];
            m_by_first[static_cast<unsigned char>(first)] |= 1ULL << k;
            if (first >= 'a' && first <= 'z') {
                m_by_first[static_cast<unsigned char>(first - 'a' + 'A')] |= 1ULL << k;
            }
            if (needles[k].size() < 2) {
                m_pair_count = k_max_pairs + 1; // no pair filter: byte by byte
                continue;
            }
            // The first two bytes as the filter compares them: OR-ed with 0x20 (both cases of
            // a letter become its lower case; other bytes may then match more than themselves,
            // never less, and the whole comparison decides).
            const char a = static_cast<char>(needles[k][0] | 0x20);
            const char b = static_cast<char>(needles[k][1] | 0x20);
            bool known = false;
            for (std::size_t p = 0; p < m_pair_count && p < k_max_pairs; ++p) {
                known = known || (m_pairs[p][0] == a && m_pairs[p][1] == b);
            }
            if (!known && m_pair_count < k_max_pairs) {
                m_pairs[m_pair_count][0] = a;
                m_pairs[m_pair_count][1] = b;
                ++m_pair_count;
            } else if (!known) {
                m_pair_count = k_max_pairs + 1; // too many pairs: byte by byte
            }
        }
    }

    // Calls found(k, at) for every occurrence at of needle k in text (ignoring case), in text
    // order (needles starting at the same byte: in list order).
    template <typename Found>
    void each(std::string_view text, Found&& found) const
    {
        scan(text, 0, [&](std::size_t k, std::size_t at) {
            found(k, at);
            return false;
        });
    }

    // The first position at or after from where one of the needles occurs (ignoring case),
    // std::string_view::npos if none.
    std::size_t find_first(std::string_view text, std::size_t from = 0) const
    {
        std::size_t first = std::string_view::npos;
        scan(text, from, [&](std::size_t, std::size_t at) {
            first = at;
            return true;
        });
        return first;
    }

private:
    // Calls stop(k, at) for the occurrences from `at` on, in text order, until it returns true.
    template <typename Stop>
    void scan(std::string_view text, std::size_t at, Stop&& stop) const
    {
#if defined(__SSE2__)
        if (m_pair_count <= k_max_pairs) {
            const __m128i fold = _mm_set1_epi8(0x20);
            // Both loads stay inside text: at + 16 < text.size().
            for (; at + 17 <= text.size(); at += 16) {
                const __m128i a = _mm_or_si128(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at)), fold);
                const __m128i b = _mm_or_si128(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at + 1)), fold);
                __m128i hits = _mm_setzero_si128();
                for (std::size_t p = 0; p < m_pair_count; ++p) {
                    hits = _mm_or_si128(
                        hits, _mm_and_si128(_mm_cmpeq_epi8(a, _mm_set1_epi8(m_pairs[p][0])),
                                            _mm_cmpeq_epi8(b, _mm_set1_epi8(m_pairs[p][1]))));
                }
                unsigned bits = static_cast<unsigned>(_mm_movemask_epi8(hits));
                while (bits != 0) {
                    const std::size_t pos = at + static_cast<std::size_t>(__builtin_ctz(bits));
                    bits &= bits - 1;
                    if (compare_at(text, pos, stop)) {
                        return;
                    }
                }
            }
        }
#endif
        for (; at < text.size(); ++at) {
            if (compare_at(text, at, stop)) {
                return;
            }
        }
    }

    // The needles starting at pos, compared whole, in list order; true when stop asked to end.
    template <typename Stop>
    bool compare_at(std::string_view text, std::size_t pos, Stop& stop) const
    {
        std::uint64_t candidates = m_by_first[static_cast<unsigned char>(text[pos])];
        while (candidates != 0) {
            const int k = __builtin_ctzll(candidates);
            candidates &= candidates - 1;
            const std::string_view needle = m_needles[k];
            if (needle.size() <= text.size() - pos &&
                (needle.size() < 2 || fold_ascii(text[pos + 1]) == needle[1]) &&
                starts_with_folded(text.substr(pos), needle) &&
                stop(static_cast<std::size_t>(k), pos)) {
                return true;
            }
        }
        return false;
    }

    std::array<std::string_view, N> m_needles;
    std::array<std::uint64_t, 256> m_by_first{};
    std::array<std::array<char, 2>, k_max_pairs> m_pairs{};
    std::size_t m_pair_count = 0;
};

} // namespace smtpprobe::ingest
