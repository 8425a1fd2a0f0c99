// What one recipient of a bounce means: the shared classifier applied to the receiver's
// words (reply code, enhanced status, diagnostic, remote MTA), plus what only a bounce
// tells: receipts are "delivered", ARF reports "feedback", auto-replies "vacation"; a
// recipient without an enhanced status gets the pseudo status of its reason (Sisimai's
// x.0.9xx convention, e.g. userunknown -> 5.0.911) so statuses stay comparable. What it means
// for the monitor (scope, verdict, sending IP) is the evidence policy's (bounce_evidence.hpp).
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_report.hpp"

#include <optional>
#include <string>

namespace smtpprobe::ingest {

struct ClassifiedRecipient {
    std::string status;            // as reported, else the reason's pseudo status, else ""
    std::optional<int> reply_code; // as reported
    classify::Result result;       // provider, scope, reason, about, provider_code ...
    std::string named_ip;          // the IP the receiver names in its words, "" if none
};

// Classifies recipient (one of report.recipients) with classifier.
ClassifiedRecipient classify_recipient(const BounceReport& report, const RecipientReport& recipient,
                                       const classify::Classifier& classifier);

// The pseudo status of a reason when the report gave none ("userunknown", permanent ->
// "5.0.911"); "" for reasons without one.
std::string pseudo_status(const std::string& reason, bool temporary);

} // namespace smtpprobe::ingest
