// Outcome classes and their verdicts (see outcome_class.hpp).
#include "monitor/evidence/outcome_class.hpp"

#include <array>

namespace smtpprobe::evidence {

namespace {

// Reasons that stay temporary whatever they are about: a receiver that is busy, failing, or
// counting connections refuses nobody's reputation (Sisimai: toomanyconn, networkerror,
// expired, systemerror, systemfull, onhold, undefined; plus greylisting).
bool transient_reason(std::string_view reason)
{
    return reason == "toomanyconn" || reason == "networkerror" || reason == "expired" ||
           reason == "systemerror" || reason == "systemfull" || reason == "undefined" ||
           reason == "onhold" || reason == "greylisting";
}

struct ClassText {
    std::string_view name;
    std::string_view label;
    std::string_view advice;
};

constexpr std::array<ClassText, 10> k_classes = {{
    {"accepted", "accepted", "nothing to do"},
    {"blocked", "refused as a block of our IP or domain",
     "follow the receiver's delisting procedure for the code shown"},
    {"recipient", "refused for the recipient",
     "not about your server: remove or correct the address"},
    {"content", "refused for the content", "not about your IP: check what the message carried"},
    {"deferred", "deferred by the receiver",
     "temporary on the receiver's side: your MTA retries; act only if it persists"},
    {"unreachable", "receiver unreachable",
     "no answer (connection refused, timeout, DNS): check the receiver's MX and your outbound "
     "connectivity; not a block"},
    {"tls", "TLS failure on our side",
     "fix your outbound TLS (CA bundle, protocol versions, or offer STARTTLS where required)"},
    {"auth", "authentication failure on our side",
     "fix the smarthost credentials (SASL/AUTH) of your MTA"},
    {"config", "local configuration error",
     "fix your MTA configuration (mailer, routing, relay host) and flush the queue"},
    {"unclassified", "refused, cause not recognised",
     "read the receiver's words; `smtpprobe explain` tells what is known"},
}};

} // namespace

OutcomeClass outcome_class(const classify::Result& result)
{
    if (result.is_success()) {
        return OutcomeClass::accepted;
    }
    const std::string_view about = result.about;
    if (about == "ip" || about == "domain") {
        return transient_reason(result.reason) ? OutcomeClass::deferred : OutcomeClass::blocked;
    }
    if (about == "recipient") {
        return OutcomeClass::recipient;
    }
    if (about == "content") {
        return OutcomeClass::content;
    }
    if (about == "transient") {
        return OutcomeClass::deferred;
    }
    if (about == "unreachable") {
        return OutcomeClass::unreachable;
    }
    if (about == "tls") {
        return OutcomeClass::our_tls;
    }
    if (about == "auth") {
        return OutcomeClass::our_auth;
    }
    if (about == "config") {
        return OutcomeClass::local_config;
    }
    // Nothing places it: a temporary reply is a deferral (the MTA retries), anything else a
    // refusal the rules do not know.
    if (result.status.starts_with("4.") || (result.reply_code && *result.reply_code / 100 == 4)) {
        return OutcomeClass::deferred;
    }
    return OutcomeClass::unclassified;
}

Verdict verdict_of(OutcomeClass outcome)
{
    switch (outcome) {
    case OutcomeClass::accepted:
        return Verdict::clear;
    case OutcomeClass::blocked:
        return Verdict::blocked;
    default:
        return Verdict::unknown;
    }
}

std::string_view name(OutcomeClass outcome)
{
    return k_classes[static_cast<std::size_t>(outcome)].name;
}

std::string_view label(OutcomeClass outcome)
{
    return k_classes[static_cast<std::size_t>(outcome)].label;
}

std::string_view advice(OutcomeClass outcome)
{
    return k_classes[static_cast<std::size_t>(outcome)].advice;
}

} // namespace smtpprobe::evidence
