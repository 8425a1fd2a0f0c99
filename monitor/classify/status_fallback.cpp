// RFC 3463 status codes and RFC 5321 reply codes to reasons. See status_fallback.hpp.
#include "monitor/classify/status_fallback.hpp"

namespace smtpprobe::classify {
namespace {

struct StatusMeaning {
    PackedStatus status; // exact X.Y.Z; class 4 and 5 are both looked up by subject.detail
    std::string_view reason;
    std::string_view meaning;
    std::string_view about = {}; // "" = the reason's default
};

constexpr PackedStatus sd(unsigned subject, unsigned detail)
{
    return subject * 1000 + detail;
}

// Subject.detail (class stripped) -> reason, after RFC 3463 and RFC 3886/7505/7372 additions.
constexpr StatusMeaning k_details[] = {
    {sd(1, 0), "userunknown", "other address status: the address was not accepted"},
    {sd(1, 1), "userunknown", "bad destination mailbox address: no such user"},
    {sd(1, 2), "hostunknown", "bad destination system address: no such domain"},
    {sd(1, 3), "userunknown", "bad destination mailbox address syntax"},
    {sd(1, 4), "filtered", "destination mailbox address ambiguous"},
    {sd(1, 5), "delivered", "destination address valid"},
    {sd(1, 6), "hasmoved", "destination mailbox has moved, no forwarding address"},
    {sd(1, 7), "rejected", "bad sender's mailbox address syntax"},
    {sd(1, 8), "rejected", "bad sender's system address: the sender domain was refused"},
    {sd(1, 9), "systemerror", "message relayed to non-compliant mailer"},
    {sd(1, 10), "notaccept", "recipient address has a null MX (RFC 7505)"},
    {sd(2, 0), "filtered", "other or undefined mailbox status"},
    {sd(2, 1), "suspend", "mailbox disabled, not accepting messages"},
    {sd(2, 2), "mailboxfull", "mailbox full"},
    {sd(2, 3), "exceedlimit", "message length exceeds an administrative limit"},
    {sd(2, 4), "filtered", "mailing list expansion problem"},
    {sd(3, 0), "systemerror", "other or undefined mail system status"},
    {sd(3, 1), "systemfull", "mail system full"},
    {sd(3, 2), "notaccept", "system not accepting network messages"},
    {sd(3, 3), "systemerror", "system not capable of selected features"},
    {sd(3, 4), "mesgtoobig", "message too big for system"},
    {sd(3, 5), "systemerror", "system incorrectly configured", "config"},
    {sd(4, 0), "networkerror", "other or undefined network or routing status"},
    {sd(4, 1), "networkerror", "no answer from host: the receiver was not reached", "unreachable"},
    {sd(4, 2), "networkerror", "bad connection", "unreachable"},
    {sd(4, 3), "systemerror", "directory server failure"},
    {sd(4, 4), "hostunknown", "unable to route"},
    {sd(4, 5), "systemfull", "mail system congestion"},
    {sd(4, 6), "networkerror", "routing loop detected", "config"},
    {sd(4, 7), "expired", "delivery time expired"},
    {sd(5, 0), "syntaxerror", "other or undefined protocol status"},
    {sd(5, 1), "syntaxerror", "invalid command"},
    {sd(5, 2), "syntaxerror", "syntax error"},
    {sd(5, 3), "toomanyconn", "too many recipients"},
    {sd(5, 4), "syntaxerror", "invalid command arguments"},
    {sd(5, 5), "syntaxerror", "wrong protocol version"},
    {sd(6, 0), "contenterror", "other or undefined media error"},
    {sd(6, 1), "contenterror", "media not supported"},
    {sd(6, 2), "contenterror", "conversion required and prohibited"},
    {sd(6, 3), "contenterror", "conversion required but not supported"},
    {sd(6, 5), "contenterror", "conversion failed"},
    {sd(7, 0), "securityerror", "other or undefined security status"},
    {sd(7, 1), "blocked", "delivery not authorized, message refused (policy)"},
    {sd(7, 2), "filtered", "mailing list expansion prohibited"},
    {sd(7, 5), "securityerror", "cryptographic failure", "tls"},
    {sd(7, 7), "securityerror", "message integrity failure"},
    {sd(7, 8), "securityerror", "authentication credentials invalid", "auth"},
    {sd(7, 9), "securityerror", "authentication mechanism is too weak", "auth"},
    {sd(7, 10), "failedstarttls", "encryption needed", "tls"},
    {sd(7, 13), "suspend", "user account disabled"},
    {sd(7, 17), "hasmoved", "mailbox owner has changed"},
    {sd(7, 20), "authfailure", "no passing DKIM signature found"},
    {sd(7, 23), "authfailure", "SPF validation failed"},
    {sd(7, 25), "requireptr", "reverse DNS validation failed"},
    {sd(7, 26), "authfailure", "multiple authentication checks failed"},
};

struct SubjectMeaning {
    unsigned subject;
    std::string_view reason;
    std::string_view meaning;
};

constexpr SubjectMeaning k_subjects[] = {
    {0, "onhold", "other or undefined status: the receiver gave no specific reason"},
    {1, "userunknown", "addressing status: the address was not accepted"},
    {2, "filtered", "mailbox status: the mailbox did not take the message"},
    {3, "systemerror", "mail system status: the receiving system had a problem"},
    {4, "networkerror", "network or routing status"},
    {5, "syntaxerror", "mail delivery protocol status"},
    {6, "contenterror", "message content or media status"},
    {7, "securityerror", "security or policy status"},
};

struct AboutOf {
    std::string_view reason;
    std::string_view about;
};

constexpr AboutOf k_about[] = {
    {"blocked", "ip"},
    {"badreputation", "ip"},
    {"requireptr", "ip"},
    {"authfailure", "domain"},
    {"rejected", "domain"},
    {"securityerror", "domain"},
    {"speeding", "transient"},
    {"toomanyconn", "transient"},
    {"greylisting", "transient"},
    {"expired", "transient"},
    {"networkerror", "transient"},
    {"systemerror", "transient"},
    {"systemfull", "transient"},
    {"onhold", "transient"},
    {"failedstarttls", "tls"},
    {"userunknown", "recipient"},
    {"mailboxfull", "recipient"},
    {"hostunknown", "recipient"},
    {"suspend", "recipient"},
    {"hasmoved", "recipient"},
    {"filtered", "recipient"},
    {"notaccept", "recipient"},
    {"norelaying", "recipient"},
    {"mailererror", "recipient"},
    {"vacation", "recipient"},
    {"spamdetected", "content"},
    {"contenterror", "content"},
    {"virusdetected", "content"},
    {"mesgtoobig", "content"},
    {"exceedlimit", "content"},
    {"policyviolation", "content"},
    {"notcompliantrfc", "content"},
    {"syntaxerror", "none"},
    {"delivered", "none"},
    {"feedback", "none"},
    {"undefined", "none"},
};

} // namespace

Fallback status_fallback(std::optional<PackedStatus> status, std::optional<int> reply_code)
{
    if (status) {
        const unsigned klass = *status / 1'000'000;
        const unsigned subject = *status / 1'000 % 1'000;
        const PackedStatus detail = *status % 1'000'000;
        if (klass == 2) {
            return {"delivered", "the receiver accepted the message", "RFC 3463"};
        }
        for (const StatusMeaning& entry : k_details) {
            if (entry.status == detail) {
                // 4.7.1 without words is mostly greylisting or a temporary policy refusal.
                return {entry.reason, entry.meaning, "RFC 3463", entry.about};
            }
        }
        for (const SubjectMeaning& entry : k_subjects) {
            if (entry.subject == subject) {
                return {entry.reason, entry.meaning, "RFC 3463"};
            }
        }
    }
    if (reply_code) {
        const int code = *reply_code;
        if (code >= 200 && code < 300) {
            return {"delivered", "the receiver accepted the command", "RFC 5321"};
        }
        if (code == 421) {
            return {"systemerror", "service not available, closing the channel (try later)",
                    "RFC 5321"};
        }
        if (code == 450 || code == 451) {
            return {"onhold", "temporary failure, the receiver asks to try again later",
                    "RFC 5321"};
        }
        if (code == 452) {
            return {"systemfull", "insufficient system storage (try later)", "RFC 5321"};
        }
        if (code == 552) {
            return {"mailboxfull", "exceeded storage allocation", "RFC 5321"};
        }
        if (code == 553) {
            return {"userunknown", "mailbox name not allowed", "RFC 5321"};
        }
        if (code == 554) {
            return {"rejected", "transaction failed (the receiver refused the message)",
                    "RFC 5321"};
        }
        if (code >= 500 && code <= 504) {
            return {"syntaxerror", "command not understood or not permitted", "RFC 5321"};
        }
        if (code >= 400 && code < 500) {
            return {"undefined", "temporary failure without a stated reason", "RFC 5321"};
        }
        if (code >= 500 && code < 600) {
            return {"undefined", "permanent failure without a stated reason", "RFC 5321"};
        }
    }
    return {"undefined", "", ""};
}

std::string_view default_about(std::string_view reason)
{
    for (const AboutOf& entry : k_about) {
        if (entry.reason == reason) {
            return entry.about;
        }
    }
    return "none";
}

std::string_view about_meaning(std::string_view about)
{
    if (about == "ip") {
        return "the receiver refuses our sending IP";
    }
    if (about == "domain") {
        return "the receiver refuses our domain or its authentication";
    }
    if (about == "recipient") {
        return "about the recipient address, not about us";
    }
    if (about == "content") {
        return "about the message content, not about our IP";
    }
    if (about == "transient") {
        return "a temporary condition; the MTA retries";
    }
    if (about == "unreachable") {
        return "the receiver was not reached (connection refused, timeout, DNS); not a block";
    }
    if (about == "tls") {
        return "TLS failed on our side or the peer requires it; not a block";
    }
    if (about == "auth") {
        return "SMTP authentication (smarthost, submission) failed; not a block";
    }
    if (about == "config") {
        return "our own MTA configuration; no receiver was asked";
    }
    if (about == "none") {
        return "nothing to act on";
    }
    return "";
}

} // namespace smtpprobe::classify
