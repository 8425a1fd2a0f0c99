// See printable.hpp.
#include "probe/printable.hpp"

#include "probe/text/utf8.hpp"

namespace smtpprobe {

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
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            if (c == '\\') {
                out += "\\\\";
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n' || c == '\t') {
            out += c == '\r' ? "\\r" : (c == '\n' ? "\\n" : "\\t");
            ++i;
            continue;
        }
        if (c >= 0x80) {
            const Utf8Char u = decode_utf8(text, i);
            if (u.length > 0 && !is_display_control(u.code_point)) {
                out.append(text.substr(i, u.length));
                i += u.length;
                continue;
            }
        }
        // One byte at a time: a control sequence's bytes each become \xHH.
        out += "\\x";
        out += k_hex[c >> 4];
        out += k_hex[c & 0x0F];
        ++i;
    }
    return out;
}

} // namespace smtpprobe
