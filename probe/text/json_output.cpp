// See json_output.hpp. json_text() lets nlohmann serialise (invalid UTF-8 replaced, never a
// type_error 316), then escapes the display controls nlohmann leaves raw: they can only occur
// inside strings, where a \u escape means the same character.
#include "probe/text/json_output.hpp"

#include "probe/text/utf8.hpp"

namespace smtpprobe {

namespace {

constexpr char k_hex[] = "0123456789abcdef";
constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

void append_u_escape(std::string& out, char32_t cp)
{
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) {
        out += k_hex[(cp >> shift) & 0xF];
    }
}

} // namespace

std::string json_text(const nlohmann::json& document, int indent)
{
    const std::string raw =
        document.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const Utf8Char u = decode_utf8(raw, i);
        if (u.length == 0) {
            out += k_replacement; // not expected after the replace handler; kept valid anyway
            ++i;
            continue;
        }
        // Raw C0 bytes in nlohmann's output are the newlines of pretty-printing (strings
        // carry them escaped); keep those.
        if (is_display_control(u.code_point) && u.code_point >= 0x20) {
            append_u_escape(out, u.code_point);
        } else {
            out.append(raw, i, u.length);
        }
        i += u.length;
    }
    return out;
}

void append_json_string(std::string& out, std::string_view text)
{
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const Utf8Char u = decode_utf8(text, i);
        if (u.length == 0) {
            out += k_replacement;
            ++i;
        } else if (u.code_point == '\n') {
            out += "\\n";
            ++i;
        } else if (u.code_point == '\r') {
            out += "\\r";
            ++i;
        } else if (u.code_point == '\t') {
            out += "\\t";
            ++i;
        } else if (is_display_control(u.code_point)) {
            append_u_escape(out, u.code_point);
            i += u.length;
        } else {
            out.append(text, i, u.length);
            i += u.length;
        }
    }
    out += '"';
}

} // namespace smtpprobe
