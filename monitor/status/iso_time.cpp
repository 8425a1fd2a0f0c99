// The monitor's clock (see iso_time.hpp).
#include "monitor/status/iso_time.hpp"

#include <cstdlib>

namespace smtpprobe::monitor {

Clock::time_point now()
{
    if (const char* fixed = std::getenv("SMTPPROBE_NOW"); fixed && *fixed) {
        if (auto when = parse_iso_utc(fixed)) {
            return *when;
        }
    }
    return Clock::now();
}

} // namespace smtpprobe::monitor
