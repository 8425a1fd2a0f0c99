// Scanners for status codes, reply codes and IPs in reply text. See reply_facts.hpp.
#include "monitor/classify/reply_facts.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace smtpprobe::classify {
namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Reads 1..max_digits digits at pos; returns the count read (0 if none) and the value.
std::size_t read_number(std::string_view text, std::size_t pos, std::size_t max_digits,
                        unsigned& value)
{
    std::size_t count = 0;
    value = 0;
    while (pos + count < text.size() && is_digit(text[pos + count]) && count <= max_digits) {
        value = value * 10 + static_cast<unsigned>(text[pos + count] - '0');
        ++count;
    }
    return count > max_digits ? 0 : count;
}

// An IPv4 address starting at pos; returns its length or 0.
std::size_t ipv4_at(std::string_view text, std::size_t pos)
{
    std::size_t at = pos;
    for (int octet = 0; octet < 4; ++octet) {
        unsigned value = 0;
        const std::size_t digits = read_number(text, at, 3, value);
        if (digits == 0 || value > 255) {
            return 0;
        }
        at += digits;
        if (octet < 3) {
            if (at >= text.size() || text[at] != '.') {
                return 0;
            }
            ++at;
        }
    }
    return at - pos;
}

} // namespace

std::optional<PackedStatus> parse_status(std::string_view text)
{
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return std::nullopt;
    }
    unsigned subject = 0;
    unsigned detail = 0;
    const std::size_t s = read_number(text, 2, 3, subject);
    if (s == 0 || 2 + s >= text.size() || text[2 + s] != '.') {
        return std::nullopt;
    }
    const std::size_t d = read_number(text, 3 + s, 3, detail);
    if (d == 0 || 3 + s + d != text.size()) {
        return std::nullopt;
    }
    return static_cast<PackedStatus>(text[0] - '0') * 1'000'000 + subject * 1'000 + detail;
}

std::string format_status(PackedStatus status)
{
    char buffer[32]; // at most 10 + 1 + 3 + 1 + 3 digits and dots
    char* out = buffer;
    auto put = [&](unsigned value) {
        char digits[10];
        int count = 0;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0) {
            *out++ = digits[--count];
        }
    };
    put(status / 1'000'000);
    *out++ = '.';
    put(status / 1'000 % 1'000);
    *out++ = '.';
    put(status % 1'000);
    return std::string(buffer, out);
}

std::optional<PackedStatus> find_status(std::string_view text)
{
    // The most specific wins: X.Y.Z with Z != 0 over X.Y.0 over X.0.0, the first of each.
    std::optional<PackedStatus> best;
    int best_rank = -1;
    // Candidates are the bytes before a dot: find_byte jumps from one dot to the next.
    for (std::size_t from = 0; from + 5 <= text.size();) {
        const std::size_t dot = find_byte(text, from + 1, text.size() - 3, '.');
        if (dot >= text.size() - 3) {
            break;
        }
        const std::size_t i = dot - 1;
        from = i + 1;
        const char c = text[i];
        if (c != '2' && c != '4' && c != '5') {
            continue;
        }
        if (i > 0 && (is_digit(text[i - 1]) || text[i - 1] == '.')) {
            continue;
        }
        unsigned subject = 0;
        unsigned detail = 0;
        const std::size_t s = read_number(text, i + 2, 3, subject);
        if (s == 0 || i + 2 + s >= text.size() || text[i + 2 + s] != '.') {
            continue;
        }
        const std::size_t d = read_number(text, i + 3 + s, 3, detail);
        if (d == 0) {
            continue;
        }
        const std::size_t end = i + 3 + s + d;
        // Not followed by more digits or by ".<digit>" (that would be an IP or version).
        if (end < text.size() &&
            (is_digit(text[end]) ||
             (text[end] == '.' && end + 1 < text.size() && is_digit(text[end + 1])))) {
            continue;
        }
        const int rank = detail != 0 ? 2 : (subject != 0 ? 1 : 0);
        if (rank > best_rank) {
            best_rank = rank;
            best = static_cast<PackedStatus>(c - '0') * 1'000'000 + subject * 1'000 + detail;
            if (rank == 2) {
                break;
            }
        }
        from = end;
    }
    return best;
}

std::optional<int> find_reply_code(std::string_view text)
{
    auto code_at = [&](std::size_t i) -> std::optional<int> {
        if (i + 3 > text.size()) {
            return std::nullopt;
        }
        const char c = text[i];
        if ((c != '2' && c != '4' && c != '5') || !is_digit(text[i + 1]) ||
            !is_digit(text[i + 2]) || text[i + 1] > '5') {
            return std::nullopt;
        }
        if (i + 3 < text.size() && text[i + 3] != ' ' && text[i + 3] != '-' &&
            !is_space(text[i + 3])) {
            return std::nullopt;
        }
        int value = 0;
        std::from_chars(text.data() + i, text.data() + i + 3, value);
        return value;
    };
    std::size_t start = 0;
    while (start < text.size() && is_space(text[start])) {
        ++start;
    }
    if (text.size() - start >= 5 &&
        (text.substr(start, 5) == "smtp;" || text.substr(start, 5) == "SMTP;")) {
        start += 5;
        while (start < text.size() && is_space(text[start])) {
            ++start;
        }
    }
    if (auto code = code_at(start)) {
        return code;
    }
    for (std::size_t i = start + 1; i + 3 <= text.size(); ++i) {
        // The first digit first: most positions hold none of 2, 4 and 5.
        i = find_byte(text, i, text.size() - 2, '2', '4', '5');
        if (i + 3 > text.size()) {
            break;
        }
        if (is_alnum(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == '-' ||
            text[i - 1] == ':') {
            continue;
        }
        if (auto code = code_at(i)) {
            return code;
        }
    }
    return std::nullopt;
}

namespace {

// Whether the '[' at bracket follows a host name ("mx.example.net[" or "mx.example.net ["): the
// notation MTAs use for the server they talked to, whose address is then not the refused one.
// A host name here has a dot and a letter ("5.7.1 [" and "host [" are not host names).
bool follows_host_name(std::string_view text, std::size_t bracket)
{
    std::size_t end = bracket;
    if (end > 0 && text[end - 1] == ' ') {
        --end;
    }
    std::size_t begin = end;
    int dots = 0;
    bool letter = false;
    while (begin > 0 && end - begin < 255) {
        const char c = text[begin - 1];
        if (c == '.') {
            ++dots;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            letter = true;
        } else if (!is_digit(c) && c != '-') {
            break;
        }
        --begin;
    }
    if (begin > 0 && (text[begin - 1] == '/' || text[begin - 1] == '@')) {
        return false; // the end of a URL or an address, not a host name
    }
    // A host written as its address ("host 192.0.2.1 [192.0.2.1]") counts too; a status code
    // ("5.7.1 [") does not.
    return end > begin && text[end - 1] != '.' && ((dots > 0 && letter) || (dots == 3 && !letter));
}

// The first bracketed IP literal whose "follows a host name" property is `after_name`; ""
// if none.
std::string bracketed_ip(std::string_view text, bool after_name)
{
    for (std::size_t i = 0; i + 2 < text.size(); ++i) {
        i = find_byte(text, i, text.size() - 2, '[');
        if (i >= text.size() - 2) {
            break; // most replies have no bracket at all
        }
        if (follows_host_name(text, i) != after_name) {
            continue;
        }
        if (const std::size_t len = ipv4_at(text, i + 1); len > 0) {
            if (i + 1 + len < text.size() && text[i + 1 + len] == ']') {
                return std::string(text.substr(i + 1, len));
            }
            continue;
        }
        std::string_view rest = text.substr(i + 1);
        if (rest.size() > 5 && (rest.substr(0, 5) == "ipv6:" || rest.substr(0, 5) == "IPv6:")) {
            rest.remove_prefix(5);
        }
        std::size_t len = 0;
        while (len < rest.size() && len < 45 &&
               (is_digit(rest[len]) || rest[len] == ':' || rest[len] == '.' ||
                (rest[len] >= 'a' && rest[len] <= 'f') || (rest[len] >= 'A' && rest[len] <= 'F'))) {
            ++len;
        }
        if (len >= 3 && len < rest.size() && rest[len] == ']' &&
            rest.substr(0, len).find("::") != std::string_view::npos) {
            return std::string(rest.substr(0, len));
        }
        if (len >= 15 && len < rest.size() && rest[len] == ']' &&
            std::count(rest.begin(), rest.begin() + static_cast<long>(len), ':') >= 7) {
            return std::string(rest.substr(0, len));
        }
    }
    return {};
}

} // namespace

std::string find_host_address(std::string_view text)
{
    return bracketed_ip(text, true);
}

std::string find_host_name(std::string_view text)
{
    const std::string address = bracketed_ip(text, true);
    if (address.empty()) {
        return {};
    }
    // The first "[address]" after a host name is the one bracketed_ip found.
    for (std::size_t at = text.find("[" + address + "]"); at != std::string_view::npos;
         at = text.find("[" + address + "]", at + 1)) {
        if (!follows_host_name(text, at)) {
            continue;
        }
        std::size_t end = at > 0 && text[at - 1] == ' ' ? at - 1 : at;
        std::size_t begin = end;
        while (begin > 0 && end - begin < 255 &&
               (is_alnum(text[begin - 1]) || text[begin - 1] == '.' || text[begin - 1] == '-')) {
            --begin;
        }
        return std::string(text.substr(begin, end - begin));
    }
    return {};
}

std::string find_named_ip(std::string_view text, bool bare_ok)
{
    if (std::string ip = bracketed_ip(text, false); !ip.empty()) {
        return ip;
    }
    if (!bare_ok) {
        return {};
    }
    for (std::size_t i = 0; i + 7 <= text.size(); ++i) {
        if (!is_digit(text[i]) || (i > 0 && (is_alnum(text[i - 1]) || text[i - 1] == '.'))) {
            continue;
        }
        if ((i >= 5 && text.substr(i - 5, 5) == "host ") || (i > 0 && text[i - 1] == '[')) {
            continue; // "host 192.0.2.1": the server the MTA talked to; "[...]": judged above
        }
        if (const std::size_t len = ipv4_at(text, i); len > 0) {
            const std::size_t end = i + len;
            if (end < text.size() &&
                (is_alnum(text[end]) ||
                 (text[end] == '.' && end + 1 < text.size() && is_digit(text[end + 1])))) {
                continue;
            }
            return std::string(text.substr(i, len));
        }
    }
    return {};
}

std::string_view find_command(std::string_view text)
{
    struct Phrase {
        std::string_view text;
        std::string_view command;
    };
    static constexpr Phrase k_phrases[] = {
        {"in reply to end of data command", "DATA"}, {"in reply to data command", "DATA"},
        {"in reply to rcpt to command", "RCPT"},     {"in reply to mail from command", "MAIL"},
        {"in reply to ehlo command", "EHLO"},        {"in reply to helo command", "HELO"},
    };
    // Most texts say neither; memmem (two-way search) keeps that case one quick pass.
    if (memmem(text.data(), text.size(), "in reply to ", 12) != nullptr) {
        for (const Phrase& phrase : k_phrases) {
            if (text.find(phrase.text) != std::string_view::npos) {
                return phrase.command;
            }
        }
    }
    if (memmem(text.data(), text.size(), ">>> ", 4) == nullptr) {
        return {};
    }
    // sendmail's transcript: the last command our side sent before the failure.
    const std::size_t at = text.rfind(">>> ");
    if (at != std::string_view::npos) {
        const std::string_view rest = text.substr(at + 4);
        static constexpr Phrase k_commands[] = {
            {"data", "DATA"}, {"rcpt", "RCPT"}, {"mail", "MAIL"},
            {"ehlo", "EHLO"}, {"helo", "HELO"},
        };
        for (const Phrase& command : k_commands) {
            if (rest.starts_with(command.text)) {
                return command.command;
            }
        }
    }
    return {};
}

std::string normalize_host(std::string_view host)
{
    std::string out;
    normalize_host(host, out);
    return out;
}

bool normalizes_again(std::string_view host)
{
    return host.find(';') != std::string_view::npos ||
           (!host.empty() && (is_space(host.back()) || host.back() == ']' || host.back() == '.'));
}

void normalize_host(std::string_view host, std::string& out)
{
    // A Remote-MTA / Reporting-MTA value may keep its type: "dns; mx.example.com".
    if (const auto semicolon = host.find(';'); semicolon != std::string_view::npos) {
        host.remove_prefix(semicolon + 1);
    }
    while (!host.empty() && (is_space(host.front()) || host.front() == '[')) {
        host.remove_prefix(1);
    }
    while (!host.empty() && (is_space(host.back()) || host.back() == ']' || host.back() == '.')) {
        host.remove_suffix(1);
    }
    out.clear();
    for (char c : host.substr(0, 255)) {
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
}

} // namespace smtpprobe::classify
