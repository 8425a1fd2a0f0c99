// The monitor's clock: now (or the time a test sets), and the ISO 8601 UTC text of the one
// owner of time text (probe/text/utc_time.hpp) under the monitor's names.
#pragma once

#include "probe/text/utc_time.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace smtpprobe::monitor {

using Clock = std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SSZ" of a time point (seconds precision).
using smtpprobe::iso_utc;
// The current time, or $SMTPPROBE_NOW (an ISO time) when set: tests drive the clock.
Clock::time_point now();
// Parses "YYYY-MM-DDTHH:MM:SSZ" (also accepts a fractional part and "+00:00").
using smtpprobe::parse_iso_utc;

} // namespace smtpprobe::monitor
