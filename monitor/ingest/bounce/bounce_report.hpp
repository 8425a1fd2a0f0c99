// What one bounce message says, before classification: the per-message facts of its
// delivery report, the original message it returns, and one entry per recipient with the
// receiver's own words. Filled by the MIME reader (mime_reader), the RFC 3464 field parser
// (delivery_status) and the plain-text heuristics (text_report).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::ingest {

// What kind of report a message is.
enum class ReportKind {
    bounce,    // failed recipients (RFC 3464 or plain-text)
    delay,     // Action: delayed only
    receipt,   // Action: delivered / relayed / expanded (return receipts)
    complaint, // ARF feedback report (Feedback-Type: abuse ...)
    autoreply, // vacation / out-of-office answer
};

const char* kind_name(ReportKind kind);

// One recipient of the report.
struct RecipientReport {
    std::string recipient;          // Final-Recipient, or the address the text names
    std::string original_recipient; // Original-Recipient
    std::string action;             // failed | delayed | delivered | relayed | expanded
    std::string status;             // enhanced status as reported ("5.7.1"), "" if none
    std::optional<int> reply_code;  // SMTP reply code found in the diagnostic
    std::string remote_mta;         // Remote-MTA, or the host the text names
    std::string diagnostic;         // Diagnostic-Code / the receiver's reply, unfolded
    std::string last_attempt;       // Last-Attempt-Date as given
    std::string sender;             // X-Postfix-Sender (or the envelope sender named)
    std::string command;            // SMTP command the reply answered (CONNECT, HELO, MAIL,
                                    // RCPT, DATA), "" when the report does not say
    bool command_searched = false;  // command is what find_smtp_command(diagnostic) and the
                                    // transcript give: an empty one need not be searched again
};

// The message returned with the report (message/rfc822, text/rfc822-headers or inline copy).
struct OriginalMessage {
    std::string message_id;
    std::string from;
    std::string to;
    std::string subject;
    std::string date;

    bool operator==(const OriginalMessage&) const = default;
};

struct BounceReport {
    ReportKind kind = ReportKind::bounce;
    std::string message_id;        // the report's own Message-ID
    std::string date;              // the report's Date header
    std::string from;              // the report's From header
    std::string subject;           // the report's Subject header
    std::string reporting_mta;     // Reporting-MTA (type stripped)
    std::string arrival_date;      // Arrival-Date
    std::string received_from_mta; // Received-From-MTA
    std::string feedback_type;     // ARF Feedback-Type (abuse, fraud, ...)
    std::string source_ip;         // ARF Source-IP
    bool rfc3464 = false;          // fields came from a message/delivery-status part
    OriginalMessage original;
    std::vector<RecipientReport> recipients;
};

} // namespace smtpprobe::ingest
