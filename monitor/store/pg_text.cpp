// Byte-exact text in PostgreSQL (see pg_text.hpp).
#include "monitor/store/pg_text.hpp"

#include "probe/text/utf8.hpp"

#include <cstring>

namespace smtpprobe::store::pg {

namespace {

constexpr char32_t k_escape = 0x10FFFF;
constexpr char32_t k_byte_base = 0x10FE00;
// U+10FFFF in UTF-8: every escape sequence starts with this lead byte.
constexpr unsigned char k_lead = 0xF4;

void append_utf8(std::string& out, char32_t cp)
{
    // Only Plane 16 code points are written here: four bytes.
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
}

bool plain_ascii(std::string_view text)
{
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (b == 0 || b >= 0x80) {
            return false;
        }
    }
    return true;
}

} // namespace

bool needs_encoding(std::string_view text)
{
    if (plain_ascii(text)) {
        return false;
    }
    for (std::size_t at = 0; at < text.size();) {
        if (text[at] == '\0') {
            return true;
        }
        const Utf8Char c = decode_utf8(text, at);
        if (c.length == 0 || c.code_point == k_escape) {
            return true;
        }
        at += c.length;
    }
    return false;
}

std::string encode_text(std::string_view text)
{
    if (!needs_encoding(text)) {
        return std::string(text);
    }
    std::string out;
    out.reserve(text.size() + 16);
    for (std::size_t at = 0; at < text.size();) {
        const Utf8Char c = decode_utf8(text, at);
        if (c.length == 0 || text[at] == '\0') {
            append_utf8(out, k_escape);
            append_utf8(out, k_byte_base + static_cast<unsigned char>(text[at]));
            ++at;
        } else if (c.code_point == k_escape) {
            append_utf8(out, k_escape);
            append_utf8(out, k_escape);
            at += c.length;
        } else {
            out.append(text.substr(at, c.length));
            at += c.length;
        }
    }
    return out;
}

std::string decode_text(std::string_view stored)
{
    if (std::memchr(stored.data(), k_lead, stored.size()) == nullptr) {
        return std::string(stored);
    }
    std::string out;
    out.reserve(stored.size());
    for (std::size_t at = 0; at < stored.size();) {
        const Utf8Char c = decode_utf8(stored, at);
        if (c.length == 4 && c.code_point == k_escape && at + 4 < stored.size()) {
            const Utf8Char next = decode_utf8(stored, at + 4);
            if (next.code_point == k_escape) {
                append_utf8(out, k_escape);
                at += 8;
                continue;
            }
            if (next.length == 4 && next.code_point >= k_byte_base &&
                next.code_point < k_byte_base + 0x100) {
                out += static_cast<char>(next.code_point - k_byte_base);
                at += 8;
                continue;
            }
        }
        // Not one of ours (the database was written by something else): kept as it is.
        const std::size_t length = c.length == 0 ? 1 : c.length;
        out.append(stored.substr(at, length));
        at += length;
    }
    return out;
}

} // namespace smtpprobe::store::pg
