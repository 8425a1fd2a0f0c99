// Inline search for one byte, sixteen bytes at a time (SSE2), for the line loops of the bounce
// reader: its lines are short (a header field, a line of prose), and a memchr call per line
// cost more than the search itself (memchr was a tenth of an mbox's reading time).
//
// Contract: find_char(text, c, from) == text.find(c, from) for every input; no allocation.
#pragma once

#include <bit>
#include <cstddef>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smtpprobe::ingest {

// The first position of c in text at or after from, std::string_view::npos if none.
inline std::size_t find_char(std::string_view text, char c, std::size_t from = 0)
{
    const std::size_t size = text.size();
#if defined(__SSE2__)
    const __m128i want = _mm_set1_epi8(c);
    for (; from + 16 <= size; from += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, want)));
        if (mask != 0) {
            return from + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
#endif
    for (; from < size; ++from) {
        if (text[from] == c) {
            return from;
        }
    }
    return std::string_view::npos;
}

// Whether a is followed by b somewhere in text (text.find({a, b}) != npos), jumping between
// the a bytes with find_char instead of a library call per occurrence.
inline bool contains_pair(std::string_view text, char a, char b)
{
    for (std::size_t at = find_char(text, a); at != std::string_view::npos;
         at = find_char(text, a, at + 1)) {
        if (at + 1 < text.size() && text[at + 1] == b) {
            return true;
        }
    }
    return false;
}

// Whether text is ASCII without NUL bytes (every byte 0x01-0x7f): text a header decoder
// leaves as it is when it holds no encoded word either.
inline bool is_plain_ascii(std::string_view text)
{
    std::size_t at = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (; at + 16 <= text.size(); at += 16) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + at));
        if ((_mm_movemask_epi8(block) | _mm_movemask_epi8(_mm_cmpeq_epi8(block, zero))) != 0) {
            return false;
        }
    }
#endif
    for (; at < text.size(); ++at) {
        const auto c = static_cast<unsigned char>(text[at]);
        if (c == 0 || c >= 0x80) {
            return false;
        }
    }
    return true;
}

// The first position at or after from of a byte that may open a reply code or an enhanced
// status ('2', '4' or '5'), text.size() if none. status_only: followed by a '.' as well.
inline std::size_t next_code_start(std::string_view text, std::size_t from, bool status_only)
{
    const std::size_t size = text.size();
#if defined(__SSE2__)
    const __m128i two = _mm_set1_epi8('2');
    const __m128i four = _mm_set1_epi8('4');
    const __m128i five = _mm_set1_epi8('5');
    const __m128i dot = _mm_set1_epi8('.');
    // Both loads stay inside text: from + 16 < size.
    for (; from + 17 <= size; from += 16) {
        const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
        __m128i hits =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(here, two), _mm_cmpeq_epi8(here, four)),
                         _mm_cmpeq_epi8(here, five));
        if (status_only) {
            const __m128i next =
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from + 1));
            hits = _mm_and_si128(hits, _mm_cmpeq_epi8(next, dot));
        }
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
        if (mask != 0) {
            return from + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
#endif
    for (; from < size; ++from) {
        const char c = text[from];
        if ((c == '2' || c == '4' || c == '5') &&
            (!status_only || (from + 1 < size && text[from + 1] == '.'))) {
            return from;
        }
    }
    return size;
}

// The first LF at or after from that is followed by a or b (text[q] == '\n' and text[q + 1]
// is a or b), std::string_view::npos if none: where the next line starting with a or b begins,
// one step before. A final LF (nothing after it) never counts.
inline std::size_t find_line_before(std::string_view text, std::size_t from, char a, char b)
{
    const std::size_t size = text.size();
#if defined(__SSE2__)
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i want_a = _mm_set1_epi8(a);
    const __m128i want_b = _mm_set1_epi8(b);
    // Both loads stay inside text: from + 16 < size.
    for (; from + 17 <= size; from += 16) {
        const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from));
        const __m128i next =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + from + 1));
        const __m128i starts =
            _mm_or_si128(_mm_cmpeq_epi8(next, want_a), _mm_cmpeq_epi8(next, want_b));
        const unsigned mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(here, newline), starts)));
        if (mask != 0) {
            return from + static_cast<std::size_t>(std::countr_zero(mask));
        }
    }
#endif
    for (; from + 1 < size; ++from) {
        if (text[from] == '\n' && (text[from + 1] == a || text[from + 1] == b)) {
            return from;
        }
    }
    return std::string_view::npos;
}

// The lines of text (without their LF) into lines, which keeps its capacity between calls.
inline void split_lines(std::string_view text, std::vector<std::string_view>& lines)
{
    lines.clear();
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = find_char(text, '\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        lines.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

} // namespace smtpprobe::ingest
