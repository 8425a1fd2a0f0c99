// ISO 8601 UTC times as the store keeps them ("2026-03-11T20:18:23Z"): now, formatting and
// parsing, so the monitor's scheduling and reports share one notion of time.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace smtpprobe::monitor {

using Clock = std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SSZ" of a time point (seconds precision).
std::string iso_utc(Clock::time_point when);
// The current time, or $SMTPPROBE_NOW (an ISO time) when set: tests drive the clock.
Clock::time_point now();
// Parses "YYYY-MM-DDTHH:MM:SSZ" (also accepts a fractional part and "+00:00").
std::optional<Clock::time_point> parse_iso_utc(const std::string& text);

} // namespace smtpprobe::monitor
