// Which software wrote a bounce (the "reporting MTA's known report format", Sisimai's
// "lhost"), recognised by that software's own markers: header fields only it adds
// (X-Failed-Recipients, X-MS-Exchange-Message-Is-Ndr, X-YMailISG, X-ZohoMail ...), its
// Received line ("(qmail 123 invoked for bounce)", "(DragonFly Mail Agent"), its fixed
// From/Subject wording and the first lines of its template ("This is the mail system at
// host", "Hi. This is the qmail-send program", "----- Transcript of session follows -----").
// Services built on an MTA (GMX, Mail.ru and Zoho on Exim-like templates; Microsoft 365 on
// Exchange) are tested before the engine they run on. The format then tells the parser and
// the decision model what that software's fixed sentences mean (docs/bounce-decision-model.md):
// whether the notice is a delay warning, which SMTP stage a sentence names, and whether the
// reporter is a filtering gateway.
//
// Contract: pure functions over bounded text; the markers are compared case-sensitively where
// the software writes them so (template sentences) and ignoring case in header values.
#pragma once

#include "monitor/ingest/bounce/mime_reader.hpp"

#include <string_view>

namespace smtpprobe::ingest {

// The format's name as docs and --json write it ("postfix", "exchange2007", ...).
std::string_view format_name(ReportFormat format);

// The format of a report: mime is the message, text its human-readable part(s) (the prose
// before the returned original). has_delivery_status: the message has a delivery-status part.
ReportFormat detect_report_format(const MimeMessage& mime, std::string_view text,
                                  bool has_delivery_status);

// Whether the report is a delay warning (the message is still queued and will be retried),
// by the wording every MTA's delay template uses in its Subject or its first paragraphs:
// sendmail "Warning: could not send message for past" / "THIS IS A WARNING MESSAGE ONLY",
// Postfix "Delayed Mail (still being retried)", Exim "has not yet been delivered", Gmail
// "Delivery to the following recipient has been delayed" / "will be retried", OpenSMTPD "only
// a temporary failure report", Courier "WARNING: delayed mail", Exchange "Delivery delayed".
// A report that says it gave up ("failed permanently", "will not be retried", "giving up")
// is never a delay warning.
bool is_delay_notice(std::string_view subject, std::string_view text);

// Whether the reporter is a filtering gateway (an appliance in front of the real mailbox
// server): its "unknown user" after the message was seen is a filter's refusal.
bool is_filtering_gateway(ReportFormat format);

} // namespace smtpprobe::ingest
