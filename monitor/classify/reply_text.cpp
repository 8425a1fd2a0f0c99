// The text the rules match on: normalize_text (lowercase, white space runs as one space) and
// strip_continuation_prefixes (multi-line replies joined without their code prefixes). See
// reply_facts.hpp for the contract of each.
#include "monitor/classify/reply_facts.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace smtpprobe::classify {
namespace {

// Each byte as normalize_text writes it: ASCII lowercase, white space as ' '.
constexpr std::array<char, 256> k_normal = [] {
    std::array<char, 256> table{};
    for (int c = 0; c < 256; ++c) {
        const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        table[static_cast<std::size_t>(c)] = static_cast<char>(space                    ? ' '
                                                               : (c >= 'A' && c <= 'Z') ? c + 32
                                                                                        : c);
    }
    return table;
}();

bool is_word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// Negations in one spelling: "doesn't" and "does not", "can't", "can not" and "cannot",
// "won't" and "will not" are the same words to a rule (receivers, and versions of the same
// software, write either), and so are "e-mail" and "email". Only text holding an apostrophe,
// "can not" or "e-mail" is rewritten.
void one_spelling(std::string& text)
{
    constexpr std::string_view k_curly = "\xe2\x80\x99"; // U+2019, a typographic apostrophe
    if (text.find('\'') == std::string::npos && text.find(k_curly) == std::string::npos &&
        text.find("can not") == std::string::npos && text.find("e-mail") == std::string::npos) {
        return;
    }
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t i = 0; i < text.size();) {
        const std::string_view rest = std::string_view(text).substr(i);
        const std::size_t apostrophe = rest.starts_with('\'')      ? 1
                                       : rest.starts_with(k_curly) ? k_curly.size()
                                                                   : 0;
        if (apostrophe > 0 && !out.empty() && out.back() == 'n' && rest.size() > apostrophe &&
            rest[apostrophe] == 't' &&
            (rest.size() == apostrophe + 1 || !is_word_byte(rest[apostrophe + 1]))) {
            const std::string_view before(out);
            const bool whole_word = before.size() < 4 || !is_word_byte(before[before.size() - 4]);
            if (before.ends_with("can") && whole_word) {
                out += "not"; // can't -> cannot
            } else if (before.ends_with("won") && whole_word) {
                out.resize(out.size() - 3);
                out += "will not";
            } else {
                out.back() = ' '; // doesn't -> does not
                out += "not";
            }
            i += apostrophe + 1;
            continue;
        }
        if (rest.starts_with("e-mail")) {
            out += "email";
            i += 6;
            continue;
        }
        if (rest.starts_with("can not") && (out.empty() || !is_word_byte(out.back())) &&
            (rest.size() == 7 || !is_word_byte(rest[7]))) {
            out += "cannot";
            i += 7;
            continue;
        }
        out += text[i];
        ++i;
    }
    text = std::move(out);
}

} // namespace

void normalize_text(std::string_view text, std::string& out)
{
    const std::size_t limit = text.size() < k_max_text ? text.size() : k_max_text;
    out.resize(limit); // the output is never longer than the input
    char* const begin = out.data();
    // Without branches: every byte is written, and the write position only advances past a
    // space that follows a non-space (so a run of white space leaves one space, and leading
    // white space none); a trailing space is dropped at the end.
    std::size_t write = 0;
    std::size_t previous_space = 1;
    std::size_t i = 0;
    auto bytes = [&](std::size_t from, std::size_t to) {
        for (std::size_t j = from; j < to; ++j) {
            const char c = k_normal[static_cast<unsigned char>(text[j])];
            const std::size_t space = c == ' ' ? 1 : 0;
            begin[write] = c;
            write += 1 - (space & previous_space);
            previous_space = space;
        }
    };
    // Eight bytes at a time while they hold no control byte (tab, CR, LF, ...), no two spaces
    // in a row and no space after a space: then normalizing is lowercasing A-Z in place. The
    // byte tests may report a byte that is not one (never miss one): that chunk then takes the
    // byte loop below, which gives the same output.
    constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
    constexpr std::uint64_t k_highs = 0x8080808080808080ULL;
#if defined(__SSE2__)
    // The same test on sixteen bytes at a time (SSE2 is part of x86-64).
    for (; i + 16 <= limit; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
        const __m128i is_space = _mm_cmpeq_epi8(x, _mm_set1_epi8(' '));
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x0D)),
                                               _mm_set1_epi8(0x0D)); // bytes 0 to 13
        // A space after a space (the first byte's predecessor is previous_space).
        const __m128i after_space = _mm_or_si128(_mm_slli_si128(is_space, 1),
                                                 _mm_cvtsi32_si128(previous_space != 0 ? 0xFF : 0));
        if (_mm_movemask_epi8(_mm_or_si128(control, _mm_and_si128(is_space, after_space))) != 0) {
            bytes(i, i + 16);
            continue;
        }
        // A-Z (signed compares: bytes from 0x80 are negative, never in the range).
        const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
                                            _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
        const __m128i lower = _mm_or_si128(x, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(begin + write), lower);
        write += 16;
        previous_space = static_cast<unsigned char>(text[i + 15]) == ' ' ? 1 : 0;
    }
#endif
    for (; i + 8 <= limit; i += 8) {
        std::uint64_t x = 0;
        std::memcpy(&x, text.data() + i, 8);
        const std::uint64_t spaces = x ^ (k_ones * ' ');
        const std::uint64_t is_space = (spaces - k_ones) & ~spaces & k_highs;
        const std::uint64_t is_control = (x - k_ones * 0x0E) & ~x & k_highs;
        if (is_control != 0 || (is_space & ((is_space << 8) | (previous_space << 7))) != 0) {
            bytes(i, i + 8);
            continue;
        }
        const std::uint64_t low7 = x & ~k_highs;
        const std::uint64_t at_least_a = low7 + k_ones * (0x80 - 'A');
        const std::uint64_t above_z = low7 + k_ones * (0x80 - 'Z' - 1);
        const std::uint64_t upper = at_least_a & ~above_z & ~x & k_highs;
        x |= upper >> 2;
        std::memcpy(begin + write, &x, 8);
        write += 8;
        previous_space = static_cast<unsigned char>(text[i + 7]) == ' ' ? 1 : 0;
    }
    bytes(i, limit);
    if (write > 0 && begin[write - 1] == ' ') {
        --write;
    }
    out.resize(write);
    one_spelling(out);
}

void strip_continuation_prefixes(std::string& text, int reply_code)
{
    if (reply_code < 200 || reply_code > 599 || text.size() < 8) {
        return;
    }
    const char code[3] = {static_cast<char>('0' + reply_code / 100),
                          static_cast<char>('0' + reply_code / 10 % 10),
                          static_cast<char>('0' + reply_code % 10)};
    // Only " CODE-" or " CODE " after the start can be a prefix; most replies have none.
    auto at_token = [&](std::size_t i) {
        return i > 0 && text[i - 1] == ' ' && i + 3 < text.size() && text[i] == code[0] &&
               text[i + 1] == code[1] && text[i + 2] == code[2] &&
               (text[i + 3] == '-' || text[i + 3] == ' ');
    };
    // The next token from `from`: find_byte jumps to each first digit of the code (a few per
    // reply: the status after the leading code), at_token checks the rest.
    auto next_token = [&](std::size_t from) {
        for (from = from > 0 ? from : 1; from + 3 < text.size(); ++from) {
            from = find_byte(text, from, text.size() - 3, code[0]);
            if (from >= text.size() - 3) {
                break;
            }
            if (at_token(from)) {
                return from;
            }
        }
        return std::string::npos;
    };
    std::size_t token = next_token(1);
    if (token == std::string::npos) {
        return; // the common case: a one-line reply
    }
    // In place, a run of bytes between tokens at a time: the write position never passes the
    // read position, so every byte a test reads (at or after i - 1) is still the original.
    std::size_t write = token;
    std::size_t i = token;
    while (token != std::string::npos) {
        std::memmove(text.data() + write, text.data() + i, token - i);
        write += token - i;
        i = token;
        std::size_t end = i + 4;
        // An enhanced status right after the code belongs to the prefix too.
        std::size_t word_end = text.find(' ', end);
        if (word_end == std::string::npos) {
            word_end = text.size();
        }
        const bool has_status =
            parse_status(std::string_view(text).substr(end, word_end - end)).has_value();
        if (has_status) {
            end = word_end < text.size() ? word_end + 1 : word_end;
        }
        if (text[i + 3] == '-' || has_status) {
            i = end;
        } else {
            text[write++] = text[i++];
        }
        token = next_token(i);
    }
    std::memmove(text.data() + write, text.data() + i, text.size() - i);
    write += text.size() - i;
    while (write > 0 && text[write - 1] == ' ') {
        --write;
    }
    text.resize(write);
}

} // namespace smtpprobe::classify
