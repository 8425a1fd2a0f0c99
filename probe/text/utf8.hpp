// Reading UTF-8 one code point at a time, for the escapers of every sink (the terminal's
// printable(), the JSON sink, the Prometheus label escaper): what is well-formed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) and which code points
// change how the text around them is shown.
#pragma once

#include <cstddef>
#include <string_view>

namespace smtpprobe {

struct Utf8Char {
    char32_t code_point = 0;
    std::size_t length = 0; // bytes of the sequence; 0 when text[at] starts no well-formed one
};

// Decodes the sequence starting at text[at] (at < text.size()). An ASCII byte has length 1.
Utf8Char decode_utf8(std::string_view text, std::size_t at);

// Whether all of text is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

// Code points that control rather than show: C0 controls, DEL, C1 controls, the bidi
// embeddings, overrides and isolates (U+202A-202E, U+2066-2069) that reorder what follows,
// and the line and paragraph separators U+2028/2029 (line breaks to a JavaScript parser).
bool is_display_control(char32_t code_point);

} // namespace smtpprobe
