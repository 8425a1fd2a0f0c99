// See printable.hpp.
#include "probe/printable.hpp"

namespace smtpprobe {

namespace {

// Length of a valid UTF-8 sequence at text[i] that encodes a printable code point
// (not C1 controls U+0080..U+009F, not surrogates, not overlong), or 0.
std::size_t utf8_length(std::string_view text, std::size_t i)
{
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char b0 = byte(i);
    std::size_t len = 0;
    char32_t cp = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
    } else {
        return 0;
    }
    if (i + len > text.size()) {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool invalid = cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F);
    // U+2028/2029 and bidi overrides can reorder or break a terminal line: escape them too.
    bool confusing = cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
                     (cp >= 0x2066 && cp <= 0x2069);
    return overlong || invalid || confusing ? 0 : len;
}

} // namespace

std::string printable(std::string_view text, std::size_t max_bytes)
{
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size() < max_bytes ? text.size() : max_bytes);
    for (std::size_t i = 0; i < text.size();) {
        if (out.size() >= max_bytes) {
            out += "...";
            break;
        }
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            if (c == '\\') {
                out += "\\\\";
            } else {
                out += static_cast<char>(c);
            }
            ++i;
        } else if (c == '\r') {
            out += "\\r";
            ++i;
        } else if (c == '\n') {
            out += "\\n";
            ++i;
        } else if (c == '\t') {
            out += "\\t";
            ++i;
        } else if (std::size_t len = c >= 0x80 ? utf8_length(text, i) : 0; len > 0) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out += "\\x";
            out += k_hex[c >> 4];
            out += k_hex[c & 0x0F];
            ++i;
        }
    }
    return out;
}

} // namespace smtpprobe
