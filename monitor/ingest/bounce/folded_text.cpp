// ASCII case-insensitive search (see folded_text.hpp).
#include "monitor/ingest/bounce/folded_text.hpp"

#include <cstring>

namespace smtpprobe::ingest {

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
    const char first = lower[0];
    const std::size_t last = text.size() - lower.size();
    if (first < 'a' || first > 'z') {
        // The first byte has one case only: memchr jumps between its occurrences.
        for (std::size_t at = from; at <= last;) {
            const void* hit = std::memchr(text.data() + at, first, last + 1 - at);
            if (hit == nullptr) {
                return std::string_view::npos;
            }
            at = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
            if (starts_with_folded(text.substr(at + 1), lower.substr(1))) {
                return at;
            }
            ++at;
        }
        return std::string_view::npos;
    }
    for (std::size_t at = from; at <= last; ++at) {
        if (fold_ascii(text[at]) == first &&
            starts_with_folded(text.substr(at + 1), lower.substr(1))) {
            return at;
        }
    }
    return std::string_view::npos;
}

} // namespace smtpprobe::ingest
