// Values and lines of the history dump format (see dump_format.hpp).
#include "monitor/store/dump_format.hpp"

#include <charconv>
#include <cstring>

namespace smtpprobe::store {

namespace {

constexpr char k_hex[] = "0123456789abcdef";

void append_byte_escape(std::string& line, unsigned char byte)
{
    line += "\\x";
    line += k_hex[byte >> 4];
    line += k_hex[byte & 15];
}

bool continuation(unsigned char c)
{
    return c >= 0x80 && c <= 0xbf;
}

// The length of the valid UTF-8 sequence of two or more bytes at the start of s (Unicode
// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
std::size_t utf8_sequence(std::string_view s)
{
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b = at(0);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf; // the range of the second byte
    if (b >= 0xc2 && b <= 0xdf) {
        length = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
        length = 3;
        low = b == 0xe0 ? 0xa0 : 0x80;
        high = b == 0xed ? 0x9f : 0xbf;
    } else if (b >= 0xf0 && b <= 0xf4) {
        length = 4;
        low = b == 0xf0 ? 0x90 : 0x80;
        high = b == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (s.size() < length || at(1) < low || at(1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        if (!continuation(at(i))) {
            return 0;
        }
    }
    return length;
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

void decode_text(std::string_view field, std::string& out)
{
    out.clear();
    for (std::size_t i = 0; i < field.size(); ++i) {
        const char c = field[i];
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            throw DumpFormatError("a raw control character in text");
        }
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i == field.size()) {
            throw DumpFormatError("text ends with a lone backslash");
        }
        switch (field[i]) {
        case '\\':
            out += '\\';
            break;
        case 't':
            out += '\t';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 'x': {
            const int high = i + 1 < field.size() ? hex_digit(field[i + 1]) : -1;
            const int low = i + 2 < field.size() ? hex_digit(field[i + 2]) : -1;
            if (high < 0 || low < 0) {
                throw DumpFormatError("\\x without two lower-case hex digits in text");
            }
            out += static_cast<char>(high * 16 + low);
            i += 2;
            break;
        }
        default:
            throw DumpFormatError("unknown escape \\" + std::string(1, field[i]) + " in text");
        }
    }
}

} // namespace

bool DumpValue::operator==(const DumpValue& other) const
{
    if (kind != other.kind) {
        return false;
    }
    switch (kind) {
    case Kind::null:
        return true;
    case Kind::integer:
        return integer == other.integer;
    case Kind::real:
        return std::memcmp(&real, &other.real, sizeof real) == 0; // bits: -0, nan
    case Kind::text:
        return text == other.text;
    }
    return false;
}

void append_null(std::string& line)
{
    line += 'N';
}

void append_integer(std::string& line, std::int64_t value)
{
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    line += 'i';
    line.append(buffer, end);
}

void append_real(std::string& line, double value)
{
    char buffer[40];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    line += 'r';
    line.append(buffer, end);
}

void append_text(std::string& line, std::string_view bytes)
{
    line += 't';
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        if (byte >= 0x80) {
            const std::size_t length = utf8_sequence(bytes.substr(i));
            if (length == 0) {
                append_byte_escape(line, byte); // not UTF-8: the byte itself
                ++i;
            } else if (byte == 0xc2 && static_cast<unsigned char>(bytes[i + 1]) <= 0x9f) {
                append_byte_escape(line, byte); // a C1 control: a terminal would obey it
                append_byte_escape(line, static_cast<unsigned char>(bytes[i + 1]));
                i += 2;
            } else {
                line.append(bytes.substr(i, length));
                i += length;
            }
            continue;
        }
        switch (byte) {
        case '\\':
            line += "\\\\";
            break;
        case '\t':
            line += "\\t";
            break;
        case '\n':
            line += "\\n";
            break;
        case '\r':
            line += "\\r";
            break;
        default:
            if (byte < 0x20 || byte == 0x7f) {
                append_byte_escape(line, byte);
            } else {
                line += static_cast<char>(byte);
            }
        }
        ++i;
    }
}

bool parse_int64(std::string_view text, std::int64_t& out)
{
    if (text.empty()) {
        return false;
    }
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return false;
    }
    // Only the writer's form: no "-0", no leading zeros.
    char buffer[24];
    auto [written, ec2] = std::to_chars(buffer, buffer + sizeof buffer, out);
    return std::string_view(buffer, static_cast<std::size_t>(written - buffer)) == text;
}

void parse_value(std::string_view field, DumpValue& value)
{
    if (field.empty()) {
        throw DumpFormatError("an empty value");
    }
    const std::string_view rest = field.substr(1);
    switch (field[0]) {
    case 'N':
        if (!rest.empty()) {
            throw DumpFormatError("NULL with something after it");
        }
        value.kind = DumpValue::Kind::null;
        return;
    case 'i':
        if (!parse_int64(rest, value.integer)) {
            throw DumpFormatError("not a 64-bit integer: '" + std::string(rest.substr(0, 40)) +
                                  "'");
        }
        value.kind = DumpValue::Kind::integer;
        return;
    case 'r': {
        auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value.real);
        char buffer[40];
        auto [written, ec2] = std::to_chars(buffer, buffer + sizeof buffer, value.real);
        if (ec != std::errc() || end != rest.data() + rest.size() ||
            std::string_view(buffer, static_cast<std::size_t>(written - buffer)) != rest) {
            throw DumpFormatError("not a real in its shortest form: '" +
                                  std::string(rest.substr(0, 40)) + "'");
        }
        value.kind = DumpValue::Kind::real;
        return;
    }
    case 't':
        decode_text(rest, value.text);
        value.kind = DumpValue::Kind::text;
        return;
    default:
        throw DumpFormatError("a value must start with N, i, r or t");
    }
}

void split_fields(std::string_view line, std::vector<std::string_view>& fields)
{
    fields.clear();
    std::size_t start = 0;
    while (true) {
        const std::size_t tab = line.find('\t', start);
        if (tab == std::string_view::npos) {
            fields.push_back(line.substr(start));
            return;
        }
        fields.push_back(line.substr(start, tab - start));
        start = tab + 1;
    }
}

} // namespace smtpprobe::store
