// Classification of bounce recipients (see bounce_classification.hpp).
#include "monitor/ingest/bounce/bounce_classification.hpp"

#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace smtpprobe::ingest {

namespace {

// Sisimai's convention for a reason without a status of its own: class.0.9xx.
constexpr std::array<std::pair<std::string_view, std::string_view>, 29> k_pseudo = {{
    {"onhold", "901"},          {"undefined", "900"},       {"syntaxerror", "902"},
    {"norelaying", "909"},      {"filtered", "910"},        {"userunknown", "911"},
    {"hostunknown", "912"},     {"hasmoved", "916"},        {"rejected", "918"},
    {"suspend", "921"},         {"mailboxfull", "922"},     {"exceedlimit", "923"},
    {"systemerror", "930"},     {"systemfull", "931"},      {"notaccept", "932"},
    {"mesgtoobig", "934"},      {"mailererror", "939"},     {"networkerror", "944"},
    {"expired", "947"},         {"contenterror", "960"},    {"securityerror", "970"},
    {"blocked", "971"},         {"policyviolation", "972"}, {"requireptr", "973"},
    {"notcompliantrfc", "974"}, {"badreputation", "975"},   {"failedstarttls", "976"},
    {"spamdetected", "980"},    {"toomanyconn", "945"},
}};

// True when the report's own words say the failure is temporary (a delay notice that
// quotes no 4xx code: "Message will be retried for 2 more day(s)").
bool says_temporary(std::string_view diagnostic)
{
    const std::string_view head = diagnostic.substr(0, 4000);
    for (std::string_view phrase : {"will be retried", "details of temporary failure",
                                    "will keep trying", "will retry", "still trying"}) {
        if (find_folded(head, phrase) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

// A mailbox-unknown reply counts as "user unknown" only when it answered RCPT TO or when
// its enhanced status is an addressing one (X.1.x). The same words after DATA, or with no
// command and no addressing status, come from a content filter posing as an unknown user
// (Sisimai's convention, which the labels follow): "filtered".
void apply_command_convention(const RecipientReport& recipient, ClassifiedRecipient& out)
{
    std::string command = recipient.command;
    if (command.empty() && !recipient.command_searched) {
        command = find_smtp_command(recipient.diagnostic);
    }
    // An address refused in answer to MAIL FROM is the sender's, whatever the words say.
    if (command == "MAIL" &&
        (out.result.reason == "userunknown" || out.result.reason == "hostunknown" ||
         out.result.reason == "filtered")) {
        out.result.reason = "rejected";
        out.result.about = "domain";
        return;
    }
    if (out.result.reason != "userunknown" || !recipient.reply_code) {
        return;
    }
    if (command == "RCPT") {
        return;
    }
    const std::string& status = recipient.status;
    if (status.size() > 2 && (status[2] == '1' || status[2] == '2')) {
        return; // X.1.x / X.2.x: the receiver itself called the address or mailbox wrong
    }
    out.result.reason = "filtered";
}

} // namespace

std::string pseudo_status(const std::string& reason, bool temporary)
{
    for (const auto& [name, detail] : k_pseudo) {
        if (name == reason) {
            return std::string(temporary ? "4.0." : "5.0.") + std::string(detail);
        }
    }
    return {};
}

ClassifiedRecipient classify_recipient(const BounceReport& report, const RecipientReport& recipient,
                                       const classify::Classifier& classifier)
{
    ClassifiedRecipient out;
    out.status = recipient.status;
    out.reply_code = recipient.reply_code;
    const std::string& host =
        !recipient.remote_mta.empty() ? recipient.remote_mta : report.reporting_mta;
    classify::Input input;
    input.reply_code = recipient.reply_code;
    input.enhanced = recipient.status;
    input.text = recipient.diagnostic;
    input.remote_host = host;
    input.command = recipient.command;
    input.given_up = report.kind == ReportKind::bounce && recipient.action != "delayed";
    out.result = classifier.classify(input);
    if (out.result.scope.empty() || out.result.provider.empty() || out.result.provider == "other") {
        const classify::Receiver receiver = classify::receiver_for_host(host);
        if (out.result.scope.empty()) {
            out.result.scope = receiver.scope;
        }
        if (out.result.provider.empty() ||
            (out.result.provider == "other" && !receiver.provider.empty())) {
            out.result.provider = receiver.provider;
        }
    }
    switch (report.kind) {
    case ReportKind::complaint:
        out.result.reason = "feedback";
        out.result.about = "domain";
        out.status.clear();
        out.reply_code.reset();
        break;
    case ReportKind::autoreply:
        out.result.reason = "vacation";
        out.result.about = "none";
        break;
    case ReportKind::receipt:
        out.result.reason = "delivered";
        out.result.about = "none";
        break;
    default:
        if (recipient.action == "delivered" || recipient.action == "relayed" ||
            recipient.action == "expanded") {
            out.result.reason = "delivered";
        }
        break;
    }
    if (report.kind == ReportKind::bounce || report.kind == ReportKind::delay) {
        apply_command_convention(recipient, out);
        // Google Groups answers a post it refuses (no such group, or no permission to post)
        // in the reader's language and without a reply code: the refusal is the group's.
        if ((out.result.reason.empty() || out.result.reason == "undefined") &&
            lower_ascii(recipient.recipient).ends_with("@googlegroups.com")) {
            out.result.reason = "rejected";
            out.result.about = "recipient";
        }
    }
    if (out.status.empty() && report.kind != ReportKind::complaint) {
        const bool temporary = recipient.action == "delayed" ||
                               (recipient.reply_code && *recipient.reply_code / 100 == 4) ||
                               says_temporary(recipient.diagnostic);
        out.status = pseudo_status(std::string(out.result.reason), temporary);
    }
    out.named_ip =
        !out.result.named_ip.empty() ? out.result.named_ip : find_named_ip(recipient.diagnostic);
    if (out.named_ip.empty() && report.kind == ReportKind::complaint) {
        out.named_ip = report.source_ip;
    }
    return out;
}

} // namespace smtpprobe::ingest
