// What one bounce message says, before classification: the per-message facts of its
// delivery report, the original message it returns, and one entry per recipient with the
// receiver's own words. Filled by the MIME reader (mime_reader), the RFC 3464 field parser
// (delivery_status) and the plain-text heuristics (text_report).
#pragma once

#include <cstdint>
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

// Which software wrote the report (recognised by report_format.hpp by its own markers).
enum class ReportFormat : std::uint8_t {
    unknown,      // no marker: the general reading (RFC 3464 fields, text heuristics)
    rfc3464,      // a message/delivery-status part from software not recognised otherwise
    sendmail,     // sendmail 8 (and v5: "Returned mail:" transcripts)
    postfix,      // Postfix bounce(8)
    exim,         // Exim (deliver.c templates, X-Failed-Recipients)
    qmail,        // qmail-send, netqmail, vpopmail's vdelivermail, qmail-ldap
    opensmtpd,    // OpenSMTPD bounce.c
    courier,      // Courier-MTA
    dragonfly,    // DragonFly Mail Agent (dma)
    exchange2003, // Exchange 2000/2003 (and Internet Mail Service)
    exchange2007, // Exchange 2007-2019 on premises
    office365,    // Exchange Online / Microsoft 365
    outlook_com,  // Outlook.com / Hotmail
    gmail,        // Gmail and Google Workspace
    google_groups,
    yahoo,
    amazon_ses,
    zoho,
    gmx, // GMX / web.de (1&1)
    mailru,
    yandex,
    domino, // IBM/HCL Domino ("DELIVERY FAILURE:")
    notes,  // Lotus Notes ("Undeliverable message")
    imail,  // Ipswitch IMail
    fml,    // fml mailing list manager
    mcafee, // McAfee e-mail gateway (a filtering gateway)
    powermta,
};

// One recipient of the report.
struct RecipientReport {
    std::string recipient;          // Final-Recipient, or the address the text names
    std::string original_recipient; // Original-Recipient
    std::string action;             // failed | delayed | delivered | relayed | expanded
    std::string status;             // enhanced status as reported ("5.7.1"), "" if none
    std::optional<int> reply_code;  // SMTP reply code found in the diagnostic
    std::string remote_mta;         // Remote-MTA, or the host the text names
    std::string diagnostic;         // Diagnostic-Code / the receiver's reply, unfolded
    std::string diagnostic_type;    // the Diagnostic-Code's type, lower case ("smtp", "x-unix",
                                    // "x-postfix"), "" when the report gives none
    std::string category;           // the reporting MTA's own classification of the failure
                                    // (PowerMTA's X-PowerMTA-BounceCategory), lower case
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
    ReportFormat format = ReportFormat::unknown;
    bool delay_notice = false; // the report's own words say it is a delay warning
    OriginalMessage original;
    std::vector<RecipientReport> recipients;
};

} // namespace smtpprobe::ingest
