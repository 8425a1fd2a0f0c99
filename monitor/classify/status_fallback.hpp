// The last resort of classification: what an enhanced status code (RFC 3463) or, failing
// that, a bare reply code means when no rule spoke, and the default "about" of each reason.
//
// Contract: pure functions over small constant tables; never throw.
#pragma once

#include "monitor/classify/rule.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::classify {

// Views into static tables (valid for the whole process).
struct Fallback {
    std::string_view reason;
    std::string_view meaning;
    std::string_view source;
    std::string_view about = {}; // "" = default_about(reason); set where the status says more
                                 // (X.4.1 no answer: unreachable; X.7.10 encryption: tls ...)
};

// From the status if known (exact code, then its class and subject), else from the reply
// code; reason "undefined" when neither says anything.
Fallback status_fallback(std::optional<PackedStatus> status, std::optional<int> reply_code);

// What a reason is about by default: ip, domain, recipient, content, transient, unreachable,
// tls, auth, config or none.
std::string_view default_about(std::string_view reason);

// What an `about` value means, in a few plain words ("" for an unknown value).
std::string_view about_meaning(std::string_view about);

} // namespace smtpprobe::classify
