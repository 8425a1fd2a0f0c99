// ISO 8601 UTC time text as smtpprobe stores and shows it ("2026-03-11T20:18:23Z", seconds
// precision): the one owner of formatting and parsing it, for every layer (probe results, the
// store's rows, the monitor's schedule, the web's answers). Plain calendar arithmetic: no
// time zone, no locale, no allocation in the hot formatter (log ingestion formats a time per
// line).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe {

// Days since 1970-01-01 of a proleptic Gregorian date (no range checks).
std::int64_t days_from_civil(int year, int month, int day);

// Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ", written into out (at least 21 bytes,
// NUL-terminated); returns the length (20). A year outside 0..9999 is written as 0000.
std::size_t format_utc(std::int64_t seconds, char* out);
// Same, as a string.
std::string format_utc(std::int64_t seconds);
// A time point, to the second below.
std::string iso_utc(std::chrono::system_clock::time_point when);
// The current time.
std::string utc_now_iso();

// Parses "YYYY-MM-DDTHH:MM:SSZ" (also a space for the T, a fractional part, and "+00:00"
// for the Z); nullopt for anything else or an invalid date.
std::optional<std::chrono::system_clock::time_point> parse_iso_utc(std::string_view text);

} // namespace smtpprobe
