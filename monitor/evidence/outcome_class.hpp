// What happened to one attempt, before any verdict (DESIGN.md "Outcome classes first, then
// verdict"): the one place that turns a classification into a class, and a class into the
// verdict the monitor reasons over. Only `blocked` ever counts as a block of our IP or domain;
// an unreachable receiver, a refused recipient or our own TLS/auth/config failure never does.
//
// The classifier says what a reply means through Result::about (ip, domain, recipient,
// content, transient, unreachable, tls, auth, config, none) and reason (Sisimai's vocabulary);
// this module reads those and nothing else, so every source (probe, log, bounce) gets the same
// class for the same words.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/verdict.hpp"

#include <cstdint>
#include <string_view>

namespace smtpprobe::evidence {

enum class OutcomeClass : std::uint8_t {
    accepted,     // the receiver took it (2xx, delivered)
    blocked,      // the receiver refuses us: our IP or domain (what opens an episode)
    recipient,    // refused for the recipient (unknown user, full mailbox, ...)
    content,      // refused for the message (spam content, size, policy on the content)
    deferred,     // a temporary refusal not about us (greylisting, a busy or failing receiver)
    unreachable,  // the receiver never answered: connection refused, timeout, DNS
    our_tls,      // TLS failed on our side, or the receiver requires TLS we did not offer
    our_auth,     // our authentication (a smarthost's AUTH) failed
    local_config, // a local configuration error (no route, bad mailer, loop)
    unclassified, // a refusal the rules cannot place
};

// The class of a classified reply.
OutcomeClass outcome_class(const classify::Result& result);

// The verdict a class stands for: accepted -> clear, blocked -> blocked, all else -> unknown.
Verdict verdict_of(OutcomeClass outcome);

// Stable names for JSON and the database: "accepted", "blocked", "recipient", "content",
// "deferred", "unreachable", "tls", "auth", "config", "unclassified".
std::string_view name(OutcomeClass outcome);

// A short human label ("receiver unreachable", "TLS failure on our side", ...).
std::string_view label(OutcomeClass outcome);

// What a mail admin does about the class in general (the classifier's action is more
// specific when a rule matched; this is for summaries that group by class).
std::string_view advice(OutcomeClass outcome);

} // namespace smtpprobe::evidence
