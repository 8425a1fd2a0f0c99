// What one recipient of a bounce means: the shared classifier applied to the receiver's
// words (reply code, enhanced status, diagnostic, remote MTA, the report's format), then the
// bounce decision model (bounce_decision.hpp: notice kind, which evidence decides, the SMTP
// stage, pseudo statuses). What it means for the monitor (scope, verdict, sending IP) is the
// evidence policy's (bounce_evidence.hpp).
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

} // namespace smtpprobe::ingest
