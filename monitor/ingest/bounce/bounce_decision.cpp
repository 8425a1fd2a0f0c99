// The bounce decision model (see bounce_decision.hpp and docs/bounce-decision-model.md).
#include "monitor/ingest/bounce/bounce_decision.hpp"

#include "monitor/classify/status_fallback.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"
#include "monitor/ingest/bounce/report_format.hpp"

#include <array>
#include <utility>

namespace smtpprobe::ingest {

namespace {

// Sisimai's convention for a reason without a status of its own: class.0.9xx.
constexpr std::array<std::pair<std::string_view, std::string_view>, 29> k_pseudo = {{
    {"onhold", "901"},         {"undefined", "900"},       {"syntaxerror", "902"},
    {"norelaying", "909"},     {"filtered", "910"},        {"userunknown", "911"},
    {"hostunknown", "912"},    {"hasmoved", "916"},        {"rejected", "918"},
    {"suspend", "921"},        {"mailboxfull", "922"},     {"exceedlimit", "923"},
    {"systemerror", "930"},    {"systemfull", "931"},      {"notaccept", "932"},
    {"mesgtoobig", "934"},     {"mailererror", "939"},     {"networkerror", "944"},
    {"toomanyconn", "945"},    {"expired", "947"},         {"contenterror", "960"},
    {"securityerror", "970"},  {"blocked", "971"},         {"policyviolation", "972"},
    {"requireptr", "973"},     {"notcompliantrfc", "974"}, {"badreputation", "975"},
    {"failedstarttls", "976"}, {"spamdetected", "980"},
}};

// The reporting MTA's own classification field (PowerMTA's bounce categories, as its user
// guide names them) -> reason.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> k_categories = {{
    {"bad-mailbox", "userunknown"},
    {"inactive-mailbox", "suspend"},
    {"quota-issues", "mailboxfull"},
    {"bad-domain", "hostunknown"},
    {"invalid-sender", "rejected"},
    {"relaying-issues", "norelaying"},
    {"spam-related", "spamdetected"},
    {"virus-related", "virusdetected"},
    {"content-related", "contenterror"},
    {"policy-related", "policyviolation"},
    {"message-expired", "expired"},
    {"no-answer-from-host", "networkerror"},
    {"bad-connection", "networkerror"},
    {"routing-errors", "systemerror"},
    {"bad-configuration", "systemerror"},
    {"protocol-errors", "syntaxerror"},
}};

bool is_one_of(std::string_view reason, std::initializer_list<std::string_view> reasons)
{
    for (std::string_view r : reasons) {
        if (r == reason) {
            return true;
        }
    }
    return false;
}

// Reasons that name the recipient's address or mailbox.
bool names_the_address(std::string_view reason)
{
    return is_one_of(reason, {"userunknown", "hostunknown", "filtered", "hasmoved", "suspend"});
}

// Reasons a refusal before MAIL FROM (at the greeting or HELO) can have besides "blocked":
// only the client, its connection or the receiving system itself can be meant there.
bool fits_before_mail(std::string_view reason)
{
    return is_one_of(reason,
                     {"blocked", "badreputation", "requireptr", "authfailure", "toomanyconn",
                      "speeding", "notaccept", "systemerror", "systemfull", "networkerror",
                      "expired", "greylisting", "failedstarttls", "securityerror", "delivered"});
}

// Whether the status names an address problem itself (X.1.x, RFC 3463 "addressing status").
bool addressing_status(std::string_view status)
{
    return status.size() > 2 && status[2] == '1' && status[3] == '.';
}

bool is_temporary(const RecipientReport& recipient, std::string_view status)
{
    if (!status.empty()) {
        return status[0] == '4';
    }
    if (recipient.action == "delayed") {
        return true;
    }
    return recipient.reply_code && *recipient.reply_code / 100 == 4;
}

// The reason of a local mailer's failure (Diagnostic-Code: X-Unix; NN): the mailer's exit
// status, as sysexits.h defines it (sendmail passes it on): EX_NOUSER (67) an unknown user,
// EX_NOHOST (68) an unknown host, EX_NOPERM (77) and EX_CONFIG (78) the receiving system's
// permissions or configuration; any other status or text: the mailer program failed.
std::string_view local_mailer_reason(std::string_view diagnostic)
{
    std::size_t at = diagnostic.find_first_not_of(" \t");
    if (at == std::string_view::npos || at + 2 > diagnostic.size() ||
        diagnostic.find_first_not_of("0123456789 \t", at) != std::string_view::npos) {
        return "mailererror";
    }
    const std::string_view number = diagnostic.substr(at, 2);
    if (number == "67") {
        return "userunknown";
    }
    if (number == "68") {
        return "hostunknown";
    }
    if (number == "77" || number == "78") {
        return "systemerror";
    }
    return "mailererror";
}

} // namespace

Evidence evidence_of(const classify::Result& result)
{
    if (!result.rule_id.empty()) {
        if (result.priority >= 850) {
            return Evidence::provider_words;
        }
        if (result.priority >= 700) {
            return Evidence::report_format;
        }
        return Evidence::generic_words;
    }
    if (!result.status.empty()) {
        return Evidence::status_code;
    }
    if (result.reply_code) {
        return Evidence::reply_code;
    }
    return Evidence::none;
}

Stage stage_of(std::string_view command)
{
    if (command == "CONNECT") {
        return Stage::connect;
    }
    if (command == "HELO" || command == "EHLO") {
        return Stage::helo;
    }
    if (command == "MAIL") {
        return Stage::mail;
    }
    if (command == "RCPT") {
        return Stage::rcpt;
    }
    if (command == "DATA") {
        return Stage::data;
    }
    return Stage::unknown;
}

std::string_view implied_action(const BounceReport& report)
{
    return report.delay_notice ? "delayed" : "failed";
}

std::string pseudo_status(std::string_view reason, bool temporary)
{
    for (const auto& [name, detail] : k_pseudo) {
        if (name == reason) {
            return std::string(temporary ? "4.0." : "5.0.") + std::string(detail);
        }
    }
    return {};
}

Decision decide(const BounceReport& report, const RecipientReport& recipient,
                const classify::Result& result)
{
    Decision d{result.reason, result.about, recipient.status};
    // 1. What kind of notice: complaints, auto-replies and receipts say nothing of a failure.
    if (report.kind == ReportKind::complaint) {
        return {"feedback", "domain", {}};
    }
    if (report.kind == ReportKind::autoreply) {
        d.reason = "vacation";
        d.about = "none";
        return d;
    }
    if (report.kind == ReportKind::receipt || recipient.action == "delivered" ||
        recipient.action == "relayed" || recipient.action == "expanded") {
        d.reason = "delivered";
        d.about = "none";
        return d;
    }
    const bool delayed = recipient.action == "delayed";
    const Evidence evidence = evidence_of(result);
    const Stage stage = stage_of(recipient.command);

    // 2. The receiver's own words matched by its provider's rules decide as they are.
    if (evidence != Evidence::provider_words) {
        // 3. Delivery-status fields: the reporting MTA's own classification of the failure,
        // and a Diagnostic-Code of a local mailer (X-Unix, X-Postfix) that no wording explains.
        bool from_fields = false;
        for (const auto& [category, reason] : k_categories) {
            if (category == recipient.category) {
                d.reason = reason;
                d.about = classify::default_about(reason);
                from_fields = true;
            }
        }
        if (!from_fields && evidence >= Evidence::status_code &&
            (recipient.diagnostic_type == "x-unix" || recipient.diagnostic_type == "x-postfix")) {
            d.reason = local_mailer_reason(recipient.diagnostic);
            d.about = classify::default_about(d.reason);
            from_fields = true;
        }
        // 4./5. Generic words and the codes' meanings, read through the SMTP stage.
        if (!from_fields && evidence != Evidence::report_format) {
            switch (stage) {
            case Stage::connect:
            case Stage::helo:
                if (!fits_before_mail(d.reason)) {
                    d.reason = "blocked";
                    d.about = "ip";
                }
                break;
            case Stage::mail:
                if (names_the_address(d.reason)) {
                    d.reason = "rejected";
                    d.about = "domain";
                }
                break;
            case Stage::rcpt:
                break;
            case Stage::data:
            case Stage::unknown:
                // An unknown-user answer to the message itself is a filter's refusal, unless the
                // receiver's own status names the address (X.1.x / X.2.x).
                if (d.reason == "userunknown" && (stage == Stage::data || recipient.reply_code) &&
                    !addressing_status(recipient.status)) {
                    d.reason = "filtered";
                }
                break;
            }
            // A filtering gateway's unknown user (it answers for the server behind it).
            if (d.reason == "userunknown" && is_filtering_gateway(report.format) &&
                stage != Stage::rcpt && !addressing_status(recipient.status)) {
                d.reason = "filtered";
            }
        }
    }
    // A list server's refusal of a post, in the reader's language and without a code (Google
    // Groups: no such group, or no permission to post): the group refused the sender.
    if ((d.reason.empty() || d.reason == "undefined") &&
        lower_ascii(recipient.recipient).ends_with("@googlegroups.com")) {
        d.reason = "rejected";
        d.about = "recipient";
    }
    // 6. A delay whose words and codes name no cause: the message waits in the queue.
    if (delayed && (d.reason.empty() || d.reason == "undefined" || d.reason == "onhold")) {
        d.reason = "expired";
        d.about = "transient";
    }
    if (d.reason.empty()) {
        d.reason = "undefined";
        d.about = "none";
    }
    if (d.status.empty()) {
        d.status = pseudo_status(d.reason, is_temporary(recipient, {}));
    }
    return d;
}

} // namespace smtpprobe::ingest
