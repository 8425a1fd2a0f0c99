// Small string_view scanners shared by the per-MTA parsers: no allocation, no regex.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace smtpprobe::ingest::scan {

inline bool starts_with(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// Removes one pair of <> around an address ("<a@b>" -> "a@b"); "<>" -> "".
inline std::string_view strip_angles(std::string_view value)
{
    if (value.size() >= 2 && value.front() == '<' && value.back() == '>') {
        return value.substr(1, value.size() - 2);
    }
    return value;
}

// The token up to the first space (or the end); advances text past it and one space.
inline std::string_view take_token(std::string_view& text)
{
    std::size_t end = text.find(' ');
    std::string_view token = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    return token;
}

// A queue id: 1-32 characters of [0-9A-Za-z-] followed by ": ". Returns it and advances
// text past the ": ", or returns "" and leaves text alone.
inline std::string_view take_queue_id(std::string_view& text)
{
    std::size_t i = 0;
    while (i < text.size() && i <= 32) {
        char c = text[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!alnum && c != '-') {
            break;
        }
        ++i;
    }
    if (i == 0 || i > 32 || i + 1 >= text.size() || text[i] != ':' || text[i + 1] != ' ') {
        return {};
    }
    std::string_view id = text.substr(0, i);
    text.remove_prefix(i + 2);
    return id;
}

// Whole-value numbers; false on anything else.
inline bool to_int(std::string_view text, std::int64_t& out)
{
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

inline bool to_double(std::string_view text, double& out)
{
    // from_chars for double is in libstdc++ 11+.
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// sendmail delay "00:00:02" or "1+02:03:04" in seconds; -1 when malformed.
inline double hms_seconds(std::string_view text)
{
    std::int64_t days = 0;
    std::size_t plus = text.find('+');
    if (plus != std::string_view::npos) {
        if (!to_int(text.substr(0, plus), days)) {
            return -1;
        }
        text.remove_prefix(plus + 1);
    }
    std::int64_t h = 0;
    std::int64_t m = 0;
    std::int64_t s = 0;
    if (text.size() != 8 || text[2] != ':' || text[5] != ':' || !to_int(text.substr(0, 2), h) ||
        !to_int(text.substr(3, 2), m) || !to_int(text.substr(6, 2), s)) {
        return -1;
    }
    return static_cast<double>(days * 86400 + h * 3600 + m * 60 + s);
}

// OpenSMTPD delay "45s", "2m3s", "1h2m3s", "3d1h" in seconds; -1 when malformed.
inline double duration_seconds(std::string_view text)
{
    if (text.empty()) {
        return -1;
    }
    std::int64_t total = 0;
    std::int64_t number = -1;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            number = (number < 0 ? 0 : number * 10) + (c - '0');
            if (number > 100000000) {
                return -1;
            }
            continue;
        }
        std::int64_t unit = c == 'd' ? 86400 : c == 'h' ? 3600 : c == 'm' ? 60 : c == 's' ? 1 : 0;
        if (unit == 0 || number < 0) {
            return -1;
        }
        total += number * unit;
        number = -1;
    }
    return number >= 0 ? -1 : static_cast<double>(total);
}

// Calls visit(key, value) for each "key=value" of a ", "-separated list. A key listed by
// rest_of_line(key) takes everything after it (sendmail stat=, postfix status=). Stops when
// visit returns false.
template <typename Visit, typename RestOfLine>
void for_each_field(std::string_view text, RestOfLine rest_of_line, Visit visit)
{
    while (!text.empty()) {
        std::size_t eq = text.find('=');
        if (eq == std::string_view::npos) {
            return;
        }
        std::string_view key = text.substr(0, eq);
        text.remove_prefix(eq + 1);
        std::string_view value;
        if (rest_of_line(key)) {
            value = text;
            text = {};
        } else {
            std::size_t sep = text.find(", ");
            value = text.substr(0, sep);
            text = sep == std::string_view::npos ? std::string_view() : text.substr(sep + 2);
        }
        if (!visit(key, value)) {
            return;
        }
    }
}

// "host[1.2.3.4]:25" / "host. [1.2.3.4]" / "[1.2.3.4]" / "host" -> host (trailing dot
// dropped), ip (IPv6: prefix dropped), port (0 when absent).
inline void split_relay(std::string_view relay, std::string_view& host, std::string_view& ip,
                        int& port)
{
    host = relay;
    ip = {};
    port = 0;
    std::size_t open = relay.find('[');
    if (open != std::string_view::npos) {
        std::size_t close = relay.find(']', open);
        if (close != std::string_view::npos) {
            ip = relay.substr(open + 1, close - open - 1);
            if (starts_with(ip, "IPv6:")) {
                ip.remove_prefix(5);
            }
            std::string_view after = relay.substr(close + 1);
            if (!after.empty() && after.front() == ':') {
                std::int64_t p = 0;
                std::string_view digits = after.substr(1, after.find(' ', 1) - 1);
                if (to_int(digits, p) && p > 0 && p < 65536) {
                    port = static_cast<int>(p);
                }
            }
        }
        host = relay.substr(0, open);
    }
    while (!host.empty() && (host.back() == ' ' || host.back() == '.')) {
        host.remove_suffix(1);
    }
}

// "550 5.7.1 text" -> "5.7.1": the enhanced status after a reply code, for MTAs whose lines
// have no dsn= field (Exim, OpenSMTPD); "" when there is none.
inline std::string_view reply_enhanced_status(std::string_view stat)
{
    if (stat.size() < 9 || stat[3] != ' ') {
        return {};
    }
    std::string_view rest = stat.substr(4);
    std::size_t end = rest.find(' ');
    std::string_view code = rest.substr(0, end);
    if (code.size() < 5 || code.size() > 9 || code[1] != '.' ||
        (code[0] != '2' && code[0] != '4' && code[0] != '5')) {
        return {};
    }
    for (char c : code) {
        if (c != '.' && (c < '0' || c > '9')) {
            return {};
        }
    }
    return code;
}

} // namespace smtpprobe::ingest::scan
