// Timestamp parsing and time zone conversion for maillog lines (see log_time.hpp).
#include "monitor/ingest/log_time.hpp"

#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <sys/stat.h>

namespace smtpprobe::ingest {

namespace {

bool digit(char c)
{
    return c >= '0' && c <= '9';
}

// n digits at text[pos]; -1 when they are not all digits.
int number(std::string_view text, std::size_t pos, std::size_t n)
{
    if (pos + n > text.size()) {
        return -1;
    }
    int value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = text[pos + i];
        if (!digit(c)) {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

int month_number(std::string_view text)
{
    if (text.size() < 3) {
        return 0;
    }
    // "Jan".."Dec", first letter upper-case as syslog writes it.
    static constexpr std::string_view k_months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int m = 0; m < 12; ++m) {
        if (k_months.substr(static_cast<std::size_t>(m) * 3, 3) == text.substr(0, 3)) {
            return m + 1;
        }
    }
    return 0;
}

bool valid(int month, int day, int hour, int minute, int second)
{
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 &&
           minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

std::int64_t utc_seconds(int year, int month, int day, int hour, int minute, int second)
{
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

} // namespace

TimeZone::TimeZone(const std::string& name)
{
    if (!name.empty()) {
        if (name != "UTC" && name != "Etc/UTC" && name != "GMT") {
            struct stat st {};
            std::string file = "/usr/share/zoneinfo/" + name;
            if (name.find("..") != std::string::npos || name.front() == '/' ||
                ::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
                throw std::invalid_argument("unknown time zone '" + name +
                                            "' (expected a name like Europe/Berlin or UTC)");
            }
        }
        ::setenv("TZ", name.c_str(), 1);
    }
    ::tzset();
    const char* tz = std::getenv("TZ");
    std::string current = tz ? tz : "";
    m_utc = current == "UTC" || current == "Etc/UTC" || current == "GMT" || current == "UTC0";
}

std::int64_t TimeZone::to_utc(int year, int month, int day, int hour, int minute, int second)
{
    std::int64_t local = utc_seconds(year, month, day, hour, minute, second);
    if (m_utc) {
        return local;
    }
    std::int64_t hour_key = local / 3600;
    auto found = m_offsets.find(hour_key);
    if (found == m_offsets.end()) {
        std::tm tm{};
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = hour;
        tm.tm_isdst = -1;
        std::time_t utc = std::mktime(&tm);
        std::int64_t offset = utc == static_cast<std::time_t>(-1)
                                  ? 0
                                  : static_cast<std::int64_t>(utc) - (hour_key * 3600);
        if (m_offsets.size() > 100000) {
            m_offsets.clear();
        }
        found = m_offsets.emplace(hour_key, offset).first;
    }
    return local + found->second;
}

TimeParser::TimeParser(TimeZone& zone, std::int64_t reference, std::optional<int> forced_year)
    : m_zone(zone), m_forced_year(forced_year)
{
    set_reference(reference);
}

void TimeParser::set_reference(std::int64_t reference)
{
    m_reference = reference;
    char text[24];
    format_utc(reference, text);
    m_reference_year = number(text, 0, 4);
}

std::size_t TimeParser::parse(std::string_view line, std::int64_t& seconds)
{
    if (line.size() >= 15 && digit(line[0])) {
        return parse_iso(line, seconds);
    }
    return parse_classic(line, seconds);
}

int TimeParser::year_for(int month, int day, int hour, int minute, int second)
{
    if (m_forced_year) {
        // The first line is in the forced year; each December -> January step adds one.
        if (m_last_month == 12 && month == 1) {
            ++m_year_offset;
        }
        m_last_month = month;
        return *m_forced_year + m_year_offset;
    }
    // The latest year that does not put the line after the reference (plus a day of slack
    // for clock skew and zones).
    int year = m_reference_year;
    if (utc_seconds(year, month, day, hour, minute, second) > m_reference + 86400) {
        --year;
    }
    return year;
}

std::size_t TimeParser::parse_classic(std::string_view line, std::int64_t& seconds)
{
    // "Mar 11 20:18:23" or "Mar  1 20:18:23"
    if (line.size() < 15 || line[3] != ' ') {
        return 0;
    }
    int month = month_number(line);
    int day = line[4] == ' ' ? number(line, 5, 1) : number(line, 4, 2);
    int hour = number(line, 7, 2);
    int minute = number(line, 10, 2);
    int second = number(line, 13, 2);
    if (line[6] != ' ' || line[9] != ':' || line[12] != ':' ||
        !valid(month, day, hour, minute, second)) {
        return 0;
    }
    std::size_t used = 15;
    // Some syslogs add fractions ("20:18:23.123"): skip them.
    if (used < line.size() && line[used] == '.') {
        ++used;
        while (used < line.size() && digit(line[used])) {
            ++used;
        }
    }
    int year = year_for(month, day, hour, minute, second);
    seconds = m_zone.to_utc(year, month, day, hour, minute, second);
    return used;
}

std::size_t TimeParser::parse_iso(std::string_view line, std::int64_t& seconds)
{
    // YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|+hhmm| +hhmm]
    int year = number(line, 0, 4);
    int month = number(line, 5, 2);
    int day = number(line, 8, 2);
    int hour = number(line, 11, 2);
    int minute = number(line, 14, 2);
    int second = number(line, 17, 2);
    if (line.size() < 19 || year < 0 || line[4] != '-' || line[7] != '-' ||
        (line[10] != 'T' && line[10] != ' ') || line[13] != ':' || line[16] != ':' ||
        !valid(month, day, hour, minute, second)) {
        return 0;
    }
    std::size_t used = 19;
    if (used < line.size() && (line[used] == '.' || line[used] == ',')) {
        ++used;
        while (used < line.size() && digit(line[used])) {
            ++used;
        }
    }
    std::int64_t base = utc_seconds(year, month, day, hour, minute, second);
    // A zone: directly after the time, or (Exim log_timezone) after one space.
    std::size_t zone_at = used;
    if (zone_at + 1 < line.size() && line[zone_at] == ' ' &&
        (line[zone_at + 1] == '+' || line[zone_at + 1] == '-') &&
        number(line, zone_at + 2, 4) >= 0) {
        ++zone_at;
    }
    if (zone_at < line.size() && line[zone_at] == 'Z') {
        seconds = base;
        return zone_at + 1;
    }
    if (zone_at < line.size() && (line[zone_at] == '+' || line[zone_at] == '-')) {
        int sign = line[zone_at] == '-' ? -1 : 1;
        int hh = number(line, zone_at + 1, 2);
        std::size_t mm_at = zone_at + 3;
        if (mm_at < line.size() && line[mm_at] == ':') {
            ++mm_at;
        }
        int mm = number(line, mm_at, 2);
        if (hh >= 0 && hh <= 14 && mm >= 0 && mm <= 59) {
            seconds = base - sign * (hh * 3600 + mm * 60);
            return mm_at + 2;
        }
    }
    seconds = m_zone.to_utc(year, month, day, hour, minute, second);
    return used;
}

} // namespace smtpprobe::ingest
