// See spf_macro.hpp.
#include "monitor/hygiene/spf_macro.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace smtpprobe::hygiene {

namespace {

std::string ip_macro(const boost::asio::ip::address& ip)
{
    if (ip.is_v4()) {
        return ip.to_string();
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char byte : ip.to_v6().to_bytes()) {
        out += k_hex[byte >> 4];
        out += '.';
        out += k_hex[byte & 0x0f];
        out += '.';
    }
    out.pop_back();
    return out;
}

std::string url_escape(const std::string& text)
{
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 0x0f];
        }
    }
    return out;
}

// Applies the transformers: split on delimiters, optionally reverse, keep the rightmost n.
std::string transform(const std::string& value, std::size_t keep, bool reverse,
                      const std::string& delimiters)
{
    std::vector<std::string> parts(1);
    for (char c : value) {
        if (delimiters.find(c) != std::string::npos) {
            parts.emplace_back();
        } else {
            parts.back() += c;
        }
    }
    if (reverse) {
        std::reverse(parts.begin(), parts.end());
    }
    if (keep != 0 && keep < parts.size()) {
        parts.erase(parts.begin(), parts.end() - static_cast<std::ptrdiff_t>(keep));
    }
    std::string out;
    for (const std::string& part : parts) {
        out += (out.empty() ? "" : ".") + part;
    }
    return out;
}

bool fail(std::string* error, std::string message)
{
    if (error != nullptr) {
        *error = std::move(message);
    }
    return false;
}

bool expand_one(std::string_view body, const MacroInputs& in, std::string* out, std::string* error)
{
    if (body.empty()) {
        return fail(error, "empty macro %{}");
    }
    const char letter = body[0];
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
    std::string value;
    switch (lower) {
    case 's':
        value = in.sender_local + "@" + in.sender_domain;
        break;
    case 'l':
        value = in.sender_local;
        break;
    case 'o':
        value = in.sender_domain;
        break;
    case 'd':
        value = in.domain;
        break;
    case 'i':
        value = ip_macro(in.ip);
        break;
    case 'p':
        value = "unknown"; // RFC 7208 5.7: SHOULD NOT be used; we do not validate for it
        break;
    case 'v':
        value = in.ip.is_v4() ? "in-addr" : "ip6";
        break;
    case 'h':
        value = in.helo;
        break;
    default:
        return fail(error, std::string("unknown macro letter '") + letter + "'");
    }
    std::string_view rest = body.substr(1);
    std::size_t keep = 0;
    std::size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits])) != 0) {
        ++digits;
    }
    if (digits > 0) {
        auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + digits, keep);
        if (ec != std::errc() || keep == 0 || keep > 128) {
            return fail(error, "bad macro digit transformer");
        }
        (void)ptr;
        rest.remove_prefix(digits);
    }
    bool reverse = false;
    if (!rest.empty() && (rest[0] == 'r' || rest[0] == 'R')) {
        reverse = true;
        rest.remove_prefix(1);
    }
    std::string delimiters;
    for (char c : rest) {
        if (std::string_view(".-+,/_=").find(c) == std::string_view::npos) {
            return fail(error, std::string("bad macro delimiter '") + c + "'");
        }
        delimiters += c;
    }
    if (delimiters.empty()) {
        delimiters = ".";
    }
    value = transform(value, keep, reverse, delimiters);
    *out += std::isupper(static_cast<unsigned char>(letter)) != 0 ? url_escape(value) : value;
    return true;
}

} // namespace

std::optional<std::string> expand_spf_macros(std::string_view spec, const MacroInputs& inputs,
                                             std::string* error)
{
    std::string out;
    for (std::size_t i = 0; i < spec.size(); ++i) {
        if (spec[i] != '%') {
            out += spec[i];
            continue;
        }
        if (i + 1 >= spec.size()) {
            fail(error, "'%' at the end of a domain-spec");
            return std::nullopt;
        }
        const char next = spec[++i];
        if (next == '%') {
            out += '%';
        } else if (next == '_') {
            out += ' ';
        } else if (next == '-') {
            out += "%20";
        } else if (next == '{') {
            const std::size_t close = spec.find('}', i);
            if (close == std::string_view::npos) {
                fail(error, "unclosed macro '%{'");
                return std::nullopt;
            }
            if (!expand_one(spec.substr(i + 1, close - i - 1), inputs, &out, error)) {
                return std::nullopt;
            }
            i = close;
        } else {
            fail(error, std::string("bad macro '%") + next + "'");
            return std::nullopt;
        }
    }
    while (out.size() > 253) {
        const std::size_t dot = out.find('.');
        if (dot == std::string::npos) {
            break;
        }
        out.erase(0, dot + 1);
    }
    return out;
}

} // namespace smtpprobe::hygiene
