// ISO 8601 UTC time text (see utc_time.hpp).
#include "probe/text/utc_time.hpp"

#include <charconv>

namespace smtpprobe {

namespace {

bool number(std::string_view text, std::size_t pos, std::size_t len, int& out)
{
    if (pos + len > text.size()) {
        return false;
    }
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && end == text.data() + pos + len;
}

} // namespace

std::int64_t days_from_civil(int year, int month, int day)
{
    // Howard Hinnant's algorithm.
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * static_cast<unsigned>(month + (month > 2 ? -3 : 9)) + 2) / 5 +
                         static_cast<unsigned>(day) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::size_t format_utc(std::int64_t seconds, char* out)
{
    std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    std::int64_t rest = seconds - days * 86400;
    // civil_from_days
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    year += month <= 2 ? 1 : 0;
    if (year < 0 || year > 9999) {
        year = 0;
    }
    auto put = [&](std::size_t at, std::int64_t value, int width) {
        for (int i = width - 1; i >= 0; --i) {
            out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, year, 4);
    out[4] = '-';
    put(5, month, 2);
    out[7] = '-';
    put(8, day, 2);
    out[10] = 'T';
    put(11, rest / 3600, 2);
    out[13] = ':';
    put(14, rest / 60 % 60, 2);
    out[16] = ':';
    put(17, rest % 60, 2);
    out[19] = 'Z';
    out[20] = '\0';
    return 20;
}

std::string format_utc(std::int64_t seconds)
{
    char buffer[24];
    return std::string(buffer, format_utc(seconds, buffer));
}

std::string iso_utc(std::chrono::system_clock::time_point when)
{
    return format_utc(std::chrono::floor<std::chrono::seconds>(when.time_since_epoch()).count());
}

std::string utc_now_iso()
{
    return iso_utc(std::chrono::system_clock::now());
}

std::optional<std::chrono::system_clock::time_point> parse_iso_utc(std::string_view text)
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
    std::string_view zone = text.substr(pos);
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

} // namespace smtpprobe
