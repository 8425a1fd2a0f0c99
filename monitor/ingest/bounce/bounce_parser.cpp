// Assembles a BounceReport from the MIME parts of a message (see bounce_parser.hpp).
#include "monitor/ingest/bounce/bounce_parser.hpp"

#include "monitor/ingest/bounce/bounce_decision.hpp"
#include "monitor/ingest/bounce/delivery_status.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/recipient_address.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"
#include "monitor/ingest/bounce/report_format.hpp"
#include "monitor/ingest/bounce/ses_notification.hpp"
#include "monitor/ingest/bounce/text_report.hpp"

#include <algorithm>

namespace smtpprobe::ingest {

namespace {

bool is_delivery_status(const std::string& type)
{
    return type == "message/delivery-status" || type == "message/global-delivery-status" ||
           type == "text/delivery-status";
}

bool is_feedback(const MimeMessage& mime)
{
    if (mime.report_type == "feedback-report") {
        return true;
    }
    return std::any_of(mime.parts.begin(), mime.parts.end(),
                       [](const MimePart& p) { return p.type == "message/feedback-report"; });
}

void read_feedback(const MimeMessage& mime, BounceReport& report)
{
    report.kind = ReportKind::complaint;
    RecipientReport recipient;
    recipient.action = "failed";
    for (const MimePart& part : mime.parts) {
        if (part.type != "message/feedback-report") {
            continue;
        }
        const std::vector<Field> fields = parse_field_group(part.text);
        report.feedback_type = lower_ascii(field_value(fields, "feedback-type"));
        report.source_ip = field_value(fields, "source-ip");
        report.arrival_date = field_value(fields, "arrival-date");
        report.reporting_mta = std::string(strip_type(field_value(fields, "reporting-mta")));
        recipient.recipient = clean_address(field_value(fields, "original-rcpt-to"));
        recipient.sender = clean_address(field_value(fields, "original-mail-from"));
        recipient.diagnostic = "feedback-type: " + report.feedback_type;
    }
    if (recipient.recipient.empty() && report.original.to.size() > 0) {
        recipient.recipient = lower_ascii(first_address(report.original.to));
    }
    report.recipients.push_back(std::move(recipient));
}

bool is_autoreply(const MimeMessage& mime)
{
    const std::string auto_submitted = lower_ascii(mime.auto_submitted);
    if (auto_submitted.starts_with("auto-replied") || mime.autoreply_header) {
        return true;
    }
    const std::string subject = lower_ascii(mime.subject);
    for (const char* marker :
         {"out of office", "out of the office", "auto:", "automatic reply", "autoreply",
          "auto-reply", "auto reply", "vacation", "abwesenheit"}) {
        if (subject.find(marker) != std::string::npos) {
            return true;
        }
    }
    return false;
}

bool looks_like_bounce(const MimeMessage& mime)
{
    if (mime.report_type == "delivery-status") {
        return true;
    }
    const std::string from = lower_ascii(mime.from);
    for (const char* sender : {"mailer-daemon", "postmaster", "mail delivery", "mail-delivery",
                               "mailerdaemon", "maildelivery", "bounce", "daemon"}) {
        if (from.find(sender) != std::string::npos) {
            return true;
        }
    }
    const std::string subject = lower_ascii(mime.subject);
    for (const char* marker : {"undeliver", "delivery", "failure", "failed", "returned",
                               "not delivered", "rejected", "non-deliver", "nondeliver", "error",
                               "bounce", "unzustellbar", "could not", "couldn't", "problem"}) {
        if (subject.find(marker) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::string first_other_address(std::string_view text, const std::vector<std::string>& not_these)
{
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::string address = lower_ascii(first_address(text.substr(pos)));
        if (address.empty()) {
            return {};
        }
        if (std::find(not_these.begin(), not_these.end(), address) == not_these.end()) {
            return address;
        }
        const std::size_t at = lower_ascii(text.substr(pos)).find(address);
        pos += at == std::string::npos ? text.size() : at + address.size();
    }
    return {};
}

// Every mail address of a header value (lower case, at most 100).
std::vector<std::string> all_addresses(std::string_view text)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size() && out.size() < 100) {
        const std::string address = lower_ascii(first_address(text.substr(pos)));
        if (address.empty()) {
            break;
        }
        if (std::find(out.begin(), out.end(), address) == out.end()) {
            out.push_back(address);
        }
        const std::size_t at = lower_ascii(text.substr(pos)).find(address);
        pos += at == std::string::npos ? text.size() : at + address.size();
    }
    return out;
}

std::string collapse_text(std::string_view text)
{
    std::string out;
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        out += c;
    }
    return out;
}

// Words of the text part that belong to recipient (its block in the prose), if any.
const RecipientReport* text_for(const std::vector<RecipientReport>& text_recipients,
                                const std::string& address)
{
    const std::string lower = lower_ascii(address);
    for (const RecipientReport& r : text_recipients) {
        if (r.recipient == lower) {
            return &r;
        }
    }
    return text_recipients.size() == 1 ? &text_recipients.front() : nullptr;
}

} // namespace

std::optional<BounceReport> parse_bounce(std::string_view content)
{
    std::optional<MimeMessage> mime = parse_mime(content);
    if (!mime) {
        return std::nullopt;
    }
    return report_from_mime(std::move(*mime));
}

std::optional<BounceReport> report_from_mime(MimeMessage message)
{
    MimeMessage* mime = &message;
    BounceReport report;
    report.message_id = std::move(mime->message_id);
    report.date = std::move(mime->date);
    report.from = mime->from;
    report.subject = mime->subject;
    if (mime->original) {
        // Moved from: mime->original stays engaged (its presence is read below).
        report.original = std::move(*mime->original);
    }
    if (is_feedback(*mime)) {
        read_feedback(*mime, report);
        return report;
    }

    // The human-readable report: text parts outside the original; HTML only when no text.
    std::string text;
    bool any_plain = false;
    for (const MimePart& part : mime->parts) {
        if (is_delivery_status(part.type)) {
            // A report has one delivery-status part (RFC 6522): a later one belongs to a report
            // returned inside this one (a double bounce returns the first bounce whole).
            if (!report.rfc3464) {
                parse_delivery_status(part.text, report);
            }
            report.rfc3464 = true;
        } else if (part.type == "text/plain" || part.type == "text/rfc822-headers") {
            any_plain = any_plain || part.type == "text/plain";
        }
    }
    for (MimePart& part : mime->parts) {
        if (part.type == "text/plain" || (!any_plain && part.type == "text/html")) {
            if (part.type == "text/html") {
                text += html_to_text(part.text);
            } else if (text.empty()) {
                text = std::move(part.text); // the usual single text part: no copy
            } else {
                text += part.text;
            }
            text += '\n';
        }
    }
    if (!report.rfc3464 && parse_ses_notification(text, report)) {
        return report;
    }
    const std::size_t copy = find_original_copy(text);
    const std::string_view prose = std::string_view(text).substr(0, copy);
    if (!mime->original && copy < text.size()) {
        std::string_view rest = std::string_view(text).substr(copy);
        const std::size_t first_line_end = rest.find('\n');
        rest = first_line_end == std::string_view::npos ? std::string_view()
                                                        : rest.substr(first_line_end + 1);
        OriginalMessage inline_copy = original_from_headers(rest);
        if (!inline_copy.message_id.empty() || !inline_copy.from.empty()) {
            report.original = inline_copy;
        }
    }

    report.format = detect_report_format(*mime, prose, report.rfc3464);
    report.delay_notice = is_delay_notice(mime->subject, prose);

    // Addresses the prose may name that are never the failed recipient: the report's own To
    // and From, and the returned message's sender (a list's or the sender's own address).
    std::vector<std::string> not_recipients;
    for (const std::string* header : {&mime->to, &mime->from, &report.original.from}) {
        const std::string address = lower_ascii(first_address(*header));
        if (!address.empty() && std::find(not_recipients.begin(), not_recipients.end(), address) ==
                                    not_recipients.end()) {
            not_recipients.push_back(address);
        }
    }
    // Exim and Google name the failed recipients in a header of their own.
    std::vector<std::string> header_failed;
    for (const MarkerField& field : mime->markers) {
        if (field.name == "x-failed-recipients") {
            for (std::string& address : failed_recipients_header(field.value)) {
                header_failed.push_back(std::move(address));
            }
        }
    }
    if (report.recipients.empty()) {
        // RFC 3464 fields written inline in the text (some MTAs do that).
        BounceReport inline_fields;
        if (may_hold_recipient_fields(prose) && parse_delivery_status(prose, inline_fields) > 0) {
            report.recipients = std::move(inline_fields.recipients);
            report.reporting_mta = inline_fields.reporting_mta;
            report.arrival_date = inline_fields.arrival_date;
        }
    }
    std::vector<RecipientReport> from_text =
        parse_text_report(prose, not_recipients, report.format);
    if (!header_failed.empty()) {
        // The prose's addresses that the report's own header does not name are not failed
        // recipients (help text, a forwarding address); when none is named, the header's are.
        std::vector<RecipientReport> named;
        for (RecipientReport& r : from_text) {
            if (std::find(header_failed.begin(), header_failed.end(), r.recipient) !=
                header_failed.end()) {
                named.push_back(std::move(r));
            }
        }
        if (named.empty() && from_text.size() == 1 && header_failed.size() == 1) {
            from_text.front().recipient = header_failed.front();
            named.push_back(std::move(from_text.front()));
        }
        from_text = std::move(named);
    }
    if (report.recipients.empty()) {
        report.recipients = std::move(from_text);
    } else {
        for (RecipientReport& r : report.recipients) {
            const RecipientReport* words = text_for(from_text, r.recipient);
            if (words == nullptr) {
                continue;
            }
            if (r.diagnostic.empty()) {
                r.diagnostic = words->diagnostic;
            }
            if (!r.reply_code) {
                r.reply_code = words->reply_code;
            }
            if (r.status.empty()) {
                r.status = words->status;
            }
            if (r.remote_mta.empty()) {
                r.remote_mta = words->remote_mta;
            }
            if (r.command.empty()) {
                r.command = words->command;
            }
        }
    }
    if (report.recipients.empty() &&
        (looks_like_bounce(*mime) || report.format == ReportFormat::fml) && !trim(prose).empty()) {
        // A bounce whose prose names no recipient line and no code: keep its words for the
        // classifier; the recipient is the one the report's header names, else the returned
        // message's single To, else the first other address the prose names.
        RecipientReport r;
        const std::vector<std::string> to = all_addresses(report.original.to);
        r.recipient = !header_failed.empty() ? header_failed.front()
                      : to.size() == 1       ? to.front()
                                             : first_other_address(prose, not_recipients);
        r.diagnostic = collapse_text(prose.substr(0, 4000));
        r.command = find_smtp_command(prose);
        report.recipients.push_back(std::move(r));
    }
    if (report.recipients.empty()) {
        if (is_autoreply(*mime)) {
            report.kind = ReportKind::autoreply;
            RecipientReport r;
            r.recipient = lower_ascii(first_address(mime->from));
            r.action = "autoreply";
            r.diagnostic = std::string(trim(prose.substr(0, 1000)));
            report.recipients.push_back(std::move(r));
            return report;
        }
        return std::nullopt;
    }
    // A recipient named nowhere as a mail address (an X.400 or Exchange directory name, an
    // empty field): the report's own header of failed recipients, else the returned message's
    // To, when either names exactly one address and the report has one recipient; an entry
    // still without an address is dropped unless it is the report's only one (its words
    // still tell what the receiver said).
    const std::vector<std::string> original_to = all_addresses(report.original.to);
    for (RecipientReport& r : report.recipients) {
        if (r.recipient.empty() && is_mail_address(r.original_recipient)) {
            r.recipient = r.original_recipient;
        }
        if (r.recipient.empty() && report.recipients.size() == 1) {
            if (header_failed.size() == 1) {
                r.recipient = header_failed.front();
            } else if (original_to.size() == 1) {
                r.recipient = original_to.front();
            }
        }
    }
    if (report.recipients.size() > 1) {
        std::erase_if(report.recipients,
                      [](const RecipientReport& r) { return r.recipient.empty(); });
    }
    for (RecipientReport& r : report.recipients) {
        complete_codes(r);
        if (r.command.empty()) {
            r.command = find_smtp_command(r.diagnostic);
        }
        if (r.command.empty()) {
            r.command = find_transcript_command(prose, r.recipient);
        }
        r.command_searched = true;
        if (r.action.empty()) {
            r.action = implied_action(report);
        }
        if (!r.category.empty() && report.format == ReportFormat::rfc3464) {
            report.format = ReportFormat::powermta; // its bounce category field
        }
    }
    const bool all_delivered = std::all_of(
        report.recipients.begin(), report.recipients.end(), [](const RecipientReport& r) {
            return r.action == "delivered" || r.action == "relayed" || r.action == "expanded";
        });
    const bool all_delayed =
        std::all_of(report.recipients.begin(), report.recipients.end(),
                    [](const RecipientReport& r) { return r.action == "delayed"; });
    report.kind = all_delivered ? ReportKind::receipt
                  : all_delayed ? ReportKind::delay
                                : ReportKind::bounce;
    return report;
}

const char* kind_name(ReportKind kind)
{
    switch (kind) {
    case ReportKind::bounce:
        return "bounce";
    case ReportKind::delay:
        return "delay";
    case ReportKind::receipt:
        return "receipt";
    case ReportKind::complaint:
        return "complaint";
    case ReportKind::autoreply:
        return "autoreply";
    }
    return "bounce";
}

} // namespace smtpprobe::ingest
