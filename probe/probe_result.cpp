// Names and small queries of ProbeResult.
#include "probe/probe_result.hpp"

#include "probe/text/utc_time.hpp"

#include <array>
#include <ctime>

namespace smtpprobe::probe {

const char* outcome_name(Outcome outcome)
{
    static constexpr std::array<const char*, 11> k_names = {
        "completed",      "rejected",       "deferred",   "timeout",
        "protocol-error", "connect-failed", "tls-failed", "dns-failed",
        "no-mail",        "refused-script", "cancelled",
    };
    return k_names[static_cast<std::size_t>(outcome)];
}

const char* dir_name(TranscriptLine::Dir dir)
{
    switch (dir) {
    case TranscriptLine::Dir::sent:
        return "sent";
    case TranscriptLine::Dir::received:
        return "received";
    case TranscriptLine::Dir::event:
        break;
    }
    return "event";
}

bool ProbeResult::has_extension(std::string_view keyword) const
{
    for (const auto& e : extensions) {
        if (e == keyword) {
            return true;
        }
    }
    return false;
}

const StepRecord* ProbeResult::step(std::string_view label) const
{
    for (const auto& s : steps) {
        if (s.label == label) {
            return &s;
        }
    }
    return nullptr;
}

std::string iso8601(std::chrono::system_clock::time_point t)
{
    return iso_utc(t);
}

} // namespace smtpprobe::probe
