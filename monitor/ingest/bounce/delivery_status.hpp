// RFC 3464 message/delivery-status bodies (and the same fields written inline in plain text):
// the per-message group (Reporting-MTA, Arrival-Date, Received-From-MTA, X-Postfix-Sender)
// and one RecipientReport per recipient group (Final-Recipient, Original-Recipient, Action,
// Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date). Folded values are unfolded.
// Groups run together without a blank line are split at each new Final-Recipient.
#pragma once

#include "monitor/ingest/bounce/bounce_report.hpp"

#include <string_view>

namespace smtpprobe::ingest {

// Adds the fields of text to report: per-message fields set when still empty, recipients
// appended. Returns the number of recipients added.
std::size_t parse_delivery_status(std::string_view text, BounceReport& report);

// Whether text has a line that starts (ignoring case) with "Final-Recipient",
// "Original-Recipient", "Action" or "Status": false means parse_delivery_status(text, ...)
// would add no recipient, so the caller may skip it (it reads every field of the text).
bool may_hold_recipient_fields(std::string_view text);

// Fills status and reply_code of a recipient from its Status field and diagnostic.
void complete_codes(RecipientReport& recipient);

} // namespace smtpprobe::ingest
