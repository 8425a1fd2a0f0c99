// Request target parsing and parameter validation (see query.hpp).
#include "web/http/query.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>

namespace smtpprobe::web {
namespace {

constexpr std::size_t k_max_params = 32;
constexpr std::size_t k_max_value = 512;
constexpr std::size_t k_max_scope = 200;

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool all_digits(std::string_view text)
{
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view digits)
{
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

std::string quoted(std::string_view name)
{
    return "'" + std::string(name) + "'";
}

bool is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Days of a month of the proleptic Gregorian calendar (month 1..12).
int days_in_month(int year, int month)
{
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap_year(year) ? 29 : k_days[month - 1];
}

} // namespace

std::optional<std::string> percent_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        int high = hex_value(text[i + 1]);
        int low = hex_value(text[i + 2]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

std::optional<std::string> normalise_time(std::string_view text)
{
    // YYYY-MM-DD[THH:MM[:SS]][Z]
    if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) {
        text.remove_suffix(1);
    }
    if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
        !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8, 2))) {
        return std::nullopt;
    }
    int year = to_int(text.substr(0, 4));
    int month = to_int(text.substr(5, 2));
    int day = to_int(text.substr(8, 2));
    // A date that does not exist (2026-02-31) is refused, not rolled into March.
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        return std::nullopt;
    }
    std::string out(text.substr(0, 10));
    std::string_view rest = text.substr(10);
    if (rest.empty()) {
        return out + "T00:00:00Z";
    }
    if ((rest.size() != 6 && rest.size() != 9) || (rest[0] != 'T' && rest[0] != ' ') ||
        rest[3] != ':' || !all_digits(rest.substr(1, 2)) || !all_digits(rest.substr(4, 2))) {
        return std::nullopt;
    }
    std::string seconds = "00";
    if (rest.size() == 9) {
        if (rest[6] != ':' || !all_digits(rest.substr(7, 2))) {
            return std::nullopt;
        }
        seconds = std::string(rest.substr(7, 2));
    }
    if (to_int(rest.substr(1, 2)) > 23 || to_int(rest.substr(4, 2)) > 59 || to_int(seconds) > 60) {
        return std::nullopt;
    }
    return out + "T" + std::string(rest.substr(1, 5)) + ":" + seconds + "Z";
}

Query::Query(std::string_view target)
{
    auto mark = target.find('?');
    std::string_view path = target.substr(0, mark);
    auto decoded = percent_decode(path);
    if (!decoded) {
        throw BadRequest("malformed percent-escape in the path");
    }
    m_path = std::move(*decoded);
    if (m_path.find('\0') != std::string::npos) {
        throw BadRequest("NUL byte in the path");
    }
    if (mark == std::string_view::npos) {
        return;
    }
    std::string_view rest = target.substr(mark + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        auto eq = pair.find('=');
        std::string raw_name(pair.substr(0, eq));
        std::string raw_value(eq == std::string_view::npos ? std::string_view()
                                                           : pair.substr(eq + 1));
        std::replace(raw_name.begin(), raw_name.end(), '+', ' ');
        std::replace(raw_value.begin(), raw_value.end(), '+', ' ');
        auto name = percent_decode(raw_name);
        auto value = percent_decode(raw_value);
        if (!name || !value) {
            throw BadRequest("malformed percent-escape in the query");
        }
        if (value->size() > k_max_value || name->size() > 64) {
            throw BadRequest("query parameter too long");
        }
        // No value of any parameter holds a NUL: refused here, once, for every endpoint.
        if (name->find('\0') != std::string::npos || value->find('\0') != std::string::npos) {
            throw BadRequest("NUL byte in a query parameter");
        }
        if (m_params.size() >= k_max_params) {
            throw BadRequest("too many query parameters");
        }
        if (!m_params.emplace(std::move(*name), std::move(*value)).second) {
            throw BadRequest("query parameter given twice");
        }
    }
}

void Query::allow_only(std::initializer_list<std::string_view> allowed) const
{
    for (const auto& [name, value] : m_params) {
        // "token" authenticates (see router.cpp); it is accepted everywhere.
        if (name != "token" && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            std::string list;
            for (auto a : allowed) {
                list += (list.empty() ? "" : ", ") + std::string(a);
            }
            // The name is peer text: JSON escaping happens on output, but keep it short.
            throw BadRequest(
                "unknown parameter " + quoted(name.substr(0, 64)) +
                (list.empty() ? " (this endpoint takes none)" : " (allowed: " + list + ")"));
        }
    }
}

std::optional<std::string> Query::text(const std::string& name) const
{
    auto it = m_params.find(name);
    if (it == m_params.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::int64_t> Query::optional_integer(const std::string& name, std::int64_t min,
                                                    std::int64_t max) const
{
    auto value = text(name);
    if (!value) {
        return std::nullopt;
    }
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), number);
    if (ec != std::errc() || end != value->data() + value->size() || value->empty()) {
        throw BadRequest("parameter " + quoted(name) + " must be an integer");
    }
    if (number < min || number > max) {
        throw BadRequest("parameter " + quoted(name) + " must be between " + std::to_string(min) +
                         " and " + std::to_string(max));
    }
    return number;
}

std::int64_t Query::integer(const std::string& name, std::int64_t fallback, std::int64_t min,
                            std::int64_t max) const
{
    return optional_integer(name, min, max).value_or(fallback);
}

std::optional<std::string> Query::one_of(const std::string& name,
                                         std::initializer_list<std::string_view> values) const
{
    auto value = text(name);
    if (!value) {
        return std::nullopt;
    }
    for (auto allowed : values) {
        if (*value == allowed) {
            return value;
        }
    }
    std::string list;
    for (auto allowed : values) {
        list += (list.empty() ? "" : ", ") + std::string(allowed);
    }
    throw BadRequest("parameter '" + name + "' must be one of: " + list);
}

std::optional<std::string> Query::ip(const std::string& name) const
{
    auto value = text(name);
    if (!value) {
        return std::nullopt;
    }
    unsigned char buffer[16];
    if (value->size() > 45 || (inet_pton(AF_INET, value->c_str(), buffer) != 1 &&
                               inet_pton(AF_INET6, value->c_str(), buffer) != 1)) {
        throw BadRequest("parameter " + quoted(name) + " must be an IPv4 or IPv6 address");
    }
    return value;
}

std::optional<std::string> Query::node(const std::string& name) const
{
    auto value = text(name);
    // The length of a host name, what node_name() allows (monitor/run/node_name.hpp). The
    // value is bound as SQL text; an unknown node gives empty answers, not an error.
    if (value && (value->empty() || value->size() > 253)) {
        throw BadRequest("parameter " + quoted(name) + " must be 1-253 bytes");
    }
    return value;
}

std::optional<std::string> Query::scope(const std::string& name) const
{
    auto value = text(name);
    if (!value) {
        return std::nullopt;
    }
    // Scopes hold receiver host names as the peers wrote them ("host/mx<1>.example"): any
    // text the store can hold is a scope the dashboard must be able to ask for. The value is
    // bound as SQL text, never spliced; NUL was refused with every parameter.
    if (value->empty() || value->size() > k_max_scope) {
        throw BadRequest("parameter " + quoted(name) + " must be 1-200 bytes");
    }
    return value;
}

std::optional<std::string> Query::time(const std::string& name) const
{
    auto value = text(name);
    if (!value) {
        return std::nullopt;
    }
    auto normal = normalise_time(*value);
    if (!normal) {
        throw BadRequest("parameter " + quoted(name) +
                         " must be a UTC time like 2026-03-11 or 2026-03-11T20:18:23Z");
    }
    return normal;
}

} // namespace smtpprobe::web
