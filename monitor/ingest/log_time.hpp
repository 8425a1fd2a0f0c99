// Timestamps of maillog lines, turned into UTC seconds:
// - classic syslog "Mar 11 20:18:23" (no year, no zone): the year is inferred from a reference
//   time (the file's modification time: no line is later than the file's last write), which
//   also handles the December -> January roll-over; or forced with --year (then a month that
//   goes back, December -> January, moves to the next year);
// - RFC 3339 / ISO 8601 "2026-03-11T20:18:23.123456+01:00" (rsyslog high precision),
//   "2026-03-11T20:18:23+0100" (journalctl -o short-iso), "...Z", or zoneless;
// - Exim's "2026-03-11 20:18:23[.123][ +0100]".
// Zoneless stamps are local time in the configured zone (--timezone, else $TZ, else the
// system's). Parsing never allocates; zone offsets are cached per local hour.
#pragma once

#include "probe/text/utc_time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace smtpprobe::ingest {

// Calendar arithmetic and the UTC text of a log time: probe/text/utc_time.hpp.
using smtpprobe::days_from_civil;
using smtpprobe::format_utc;

// Local wall time -> UTC in one time zone.
class TimeZone {
public:
    // name: an IANA zone ("Europe/Berlin"), "UTC", or "" for $TZ / the system zone. Throws
    // std::invalid_argument naming the zone when it is unknown. Sets the process zone (TZ).
    explicit TimeZone(const std::string& name = "");
    std::int64_t to_utc(int year, int month, int day, int hour, int minute, int second);

private:
    std::unordered_map<std::int64_t, std::int64_t> m_offsets; // local hour -> UTC - local
    bool m_utc = false;
};

class TimeParser {
public:
    // reference: seconds since the epoch no classic stamp may be later than (the file's
    // mtime, or now for stdin). forced_year: --year.
    TimeParser(TimeZone& zone, std::int64_t reference, std::optional<int> forced_year = {});

    void set_reference(std::int64_t reference);

    // Parses a timestamp at the start of line. On success sets seconds and returns the
    // number of bytes used (not including the following space); 0 when there is none.
    std::size_t parse(std::string_view line, std::int64_t& seconds);

private:
    std::size_t parse_classic(std::string_view line, std::int64_t& seconds);
    std::size_t parse_iso(std::string_view line, std::int64_t& seconds);
    int year_for(int month, int day, int hour, int minute, int second);

    TimeZone& m_zone;
    std::int64_t m_reference;
    int m_reference_year = 1970;
    std::optional<int> m_forced_year;
    int m_last_month = 0;
    int m_year_offset = 0;
};

} // namespace smtpprobe::ingest
