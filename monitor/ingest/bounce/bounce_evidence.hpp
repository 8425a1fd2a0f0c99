// What one classified bounce recipient tells the evidence policy (monitor/evidence/policy.hpp):
// a failure or delay notice is the receiver's answer to a delivery attempt; a receipt (success
// DSN) says the receiver delivered; an ARF complaint or an auto-reply is a notice that says
// nothing about acceptance. The receiver is the Remote-MTA (else the host the text names, else
// the reporting MTA); its own address ("host mx.example.com[198.51.100.7] said") and the
// reporting MTA's are never taken for ours.
#pragma once

#include "monitor/evidence/policy.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_report.hpp"

#include <string>

namespace smtpprobe::ingest {

// What the monitor makes of one recipient: when it happened and the policy's decision.
struct RecipientEvidence {
    // ISO 8601 UTC: the report's Date, else its Arrival-Date, else the recipient's
    // Last-Attempt-Date, else when the message reached its mailbox (a Maildir file's time),
    // else the returned original's Date. "" when nothing dates it: such a recipient is stored
    // but gives no evidence (a timeline entry at the time we happened to read it would be a
    // guess, and a forged bounce could place it anywhere).
    std::string time;
    std::string receiver_address; // the receiver's own address, when the report gives it
    std::string replying_host;    // the server the diagnostic quotes, without a Remote-MTA
    evidence::Decision decision;
};

// The observation of recipient (one of report.recipients, classified as classified). The views
// point into the arguments (receiver_address: the receiver's own address, replying_host: the
// server the diagnostic quotes, both found here), which must outlive the observation.
evidence::Observation bounce_observation(const BounceReport& report,
                                         const RecipientReport& recipient,
                                         const ClassifiedRecipient& classified,
                                         std::string& receiver_address, std::string& replying_host);

// The evidence of one recipient: its time (delivered_at: SourceMessage::delivered_at) and the
// policy's decision for the configured identities.
void recipient_evidence(const BounceReport& report, const RecipientReport& recipient,
                        const ClassifiedRecipient& classified, std::int64_t delivered_at,
                        const evidence::OurIps& ours, RecipientEvidence& out);

} // namespace smtpprobe::ingest
