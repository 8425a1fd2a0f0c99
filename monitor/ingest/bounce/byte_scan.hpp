// Inline search for one byte, sixteen bytes at a time (SSE2), for the line loops of the bounce
// reader: its lines are short (a header field, a line of prose), and a memchr call per line
// cost more than the search itself (memchr was a tenth of an mbox's reading time).
//
// Contract: find_char(text, c, from) == text.find(c, from) for every input; no allocation.
#pragma once

#include <bit>
#include <cstddef>
#include <string_view>

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

} // namespace smtpprobe::ingest
