// ASCII case-insensitive search (see folded_text.hpp).
#include "monitor/ingest/bounce/folded_text.hpp"

#include <emmintrin.h>

namespace smtpprobe::ingest {

namespace {

// A byte of the needle as a comparison target: letters OR-ed with 0x20 on both sides (which
// maps exactly the two cases of a letter onto its lower case), other bytes compared as they are.
struct FoldedByte {
    __m128i mask;
    __m128i want;

    explicit FoldedByte(char c)
        : mask(_mm_set1_epi8(c >= 'a' && c <= 'z' ? 0x20 : 0)), want(_mm_set1_epi8(c))
    {
    }
    // One bit per byte of block that is c in either case.
    unsigned hits(__m128i block) const
    {
        return static_cast<unsigned>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(block, mask), want)));
    }
};

} // namespace

std::size_t find_folded(std::string_view text, std::string_view lower, std::size_t from)
{
    if (from > text.size()) {
        return std::string_view::npos;
    }
    if (lower.empty()) {
        return from;
    }
    if (lower.size() > text.size() - from) {
        return std::string_view::npos;
    }
    const std::size_t last = text.size() - lower.size(); // the last possible start
    std::size_t at = from;
    if (lower.size() >= 2) {
        // Sixteen starts at a time: positions whose first two bytes match, then the rest.
        // Both loads stay inside text: at + 16 <= last + 1 and last + 1 < text.size().
        const FoldedByte first(lower[0]);
        const FoldedByte second(lower[1]);
        const char* data = text.data();
        for (; at + 16 <= last + 1; at += 16) {
            const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at));
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at + 1));
            unsigned bits = first.hits(a) & second.hits(b);
            while (bits != 0) {
                const std::size_t hit = at + static_cast<std::size_t>(__builtin_ctz(bits));
                bits &= bits - 1;
                if (starts_with_folded(text.substr(hit + 2), lower.substr(2))) {
                    return hit;
                }
            }
        }
    }
    const char first = lower[0];
    for (; at <= last; ++at) {
        if (fold_ascii(text[at]) == first &&
            starts_with_folded(text.substr(at + 1), lower.substr(1))) {
            return at;
        }
    }
    return std::string_view::npos;
}

} // namespace smtpprobe::ingest
