// ISO 8601 UTC time text (see iso_time.hpp).
#include "monitor/status/iso_time.hpp"

#include <charconv>
#include <cstdlib>
#include <ctime>

namespace smtpprobe::monitor {

namespace {

bool number(const std::string& text, std::size_t pos, std::size_t len, int& out)
{
    if (pos + len > text.size()) {
        return false;
    }
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && end == text.data() + pos + len;
}

} // namespace

std::string iso_utc(Clock::time_point when)
{
    std::time_t t = Clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Clock::time_point now()
{
    if (const char* fixed = std::getenv("SMTPPROBE_NOW"); fixed && *fixed) {
        if (auto when = parse_iso_utc(fixed)) {
            return *when;
        }
    }
    return Clock::now();
}

std::optional<Clock::time_point> parse_iso_utc(const std::string& text)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (text.size() < 20 || !number(text, 0, 4, y) || text[4] != '-' || !number(text, 5, 2, mo) ||
        text[7] != '-' || !number(text, 8, 2, d) || (text[10] != 'T' && text[10] != ' ') ||
        !number(text, 11, 2, h) || text[13] != ':' || !number(text, 14, 2, mi) || text[16] != ':' ||
        !number(text, 17, 2, s)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            ++pos;
        }
    }
    std::string zone = text.substr(pos);
    if (zone != "Z" && zone != "+00:00") {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return std::nullopt;
    }
    std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                    std::chrono::day(d)};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
           std::chrono::seconds(s);
}

} // namespace smtpprobe::monitor
