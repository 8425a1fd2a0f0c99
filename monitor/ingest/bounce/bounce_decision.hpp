// The bounce decision model (docs/bounce-decision-model.md), in one place: what kind of notice
// a recipient's entry is (failure, delay, receipt ...), which evidence decides its reason
// (the receiver's words matched by provider rules, then the delivery-status fields, then the
// reporting MTA's known report format, then the receiver's generic words, then the enhanced
// status per RFC 3463 detail, then the reply code), how the SMTP stage of the refusal changes
// a reason read from generic words, and the status a recipient gets when the report gave none.
// The parser asks it for the action of an entry without an Action field; the bounce
// classification applies it to the classifier's reading of each recipient.
//
// Contract: pure functions; reasons are Sisimai's vocabulary (string literals or views into the
// classifier's rules, as classify::Result holds them).
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_report.hpp"

#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// Which evidence decided a classifier result, strongest first (the rule priority bands of
// monitor/classify/rules/README.md).
enum class Evidence {
    provider_words, // a rule of the receiver (its published codes and wording): 850 and up
    report_format,  // the reporting MTA's own fixed sentences (rules with `format`): 700-849
    generic_words,  // generic wording any receiver uses: below 700
    status_code,    // no rule: the enhanced status code's RFC 3463 meaning
    reply_code,     // no rule, no status: the reply code's RFC 5321 meaning
    none,           // nothing to go by
};

Evidence evidence_of(const classify::Result& result);

// The SMTP stage a refusal answered, from the command the report names.
enum class Stage { unknown, connect, helo, mail, rcpt, data };

Stage stage_of(std::string_view command);

// The action of a recipient entry whose report gave no Action field: "delayed" when the
// report is a delay warning (report.delay_notice), otherwise "failed" (the message came back;
// a temporary last reply only says why the MTA's retries failed).
std::string_view implied_action(const BounceReport& report);

// The final reason, about and status of one recipient.
struct Decision {
    std::string_view reason;
    std::string_view about;
    std::string status;
};

// Applies the model to the classifier's reading (result) of recipient, one of report's.
Decision decide(const BounceReport& report, const RecipientReport& recipient,
                const classify::Result& result);

// The pseudo status of a reason when the report gave none ("userunknown", permanent ->
// "5.0.911", Sisimai's x.0.9xx convention); "" for reasons without one.
std::string pseudo_status(std::string_view reason, bool temporary);

} // namespace smtpprobe::ingest
