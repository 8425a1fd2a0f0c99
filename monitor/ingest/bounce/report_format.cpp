// Report formats by their own markers (see report_format.hpp). One table: each row is one
// marker of one format; the formats are tried in table order (services before the MTA
// engine they run on) and the first with a marker present wins.
#include "monitor/ingest/bounce/report_format.hpp"

#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"

#include <array>

namespace smtpprobe::ingest {

namespace {

// Where a marker is looked for.
enum class Where : std::uint8_t {
    field,         // a marker header field is present (name), whatever its value
    relay_field,   // as field, but a server that only relayed the report adds it too: read
                   // after every marker of the report's own text
    field_value,   // a marker header field's value holds the text (ignoring case)
    from,          // the From header holds the text (ignoring case)
    subject_start, // the Subject starts with the text (ignoring case)
    message_id,    // the Message-ID holds the text (ignoring case)
    body,          // the report's text holds the sentence as the software writes it
};

struct Marker {
    ReportFormat format;
    Where where;
    std::string_view name; // header name for field / field_value
    std::string_view text; // lower case for the ignoring-case places
};

using F = ReportFormat;
using W = Where;

// The template sentences of the body are the software's own (see each MTA's source or
// documentation: Postfix bounce(5) templates, Exim's deliver.c, qmail-send.c, sendmail's
// savemail.c, OpenSMTPD's bounce.c, dma's net.c, Courier's courierdsn).
constexpr std::array k_markers = {
    // Services and gateways first: they run on an engine whose markers they also carry.
    Marker{F::amazon_ses, W::field, "x-ses-outgoing", ""},
    Marker{F::amazon_ses, W::message_id, "", "amazonses.com"},
    Marker{F::google_groups, W::body, "", "Google Groups"},
    Marker{F::gmail, W::from, "", "mailer-daemon@googlemail.com"},
    Marker{F::gmail, W::from, "", "mailer-daemon@google.com"},
    Marker{F::gmail, W::body, "", "Technical details of permanent failure"},
    Marker{F::gmail, W::body, "", "Technical details of temporary failure"},
    Marker{F::office365, W::field, "x-ms-exchange-message-is-ndr", ""},
    Marker{F::office365, W::relay_field, "x-ms-exchange-crosstenant-originalarrivaltime", ""},
    Marker{F::office365, W::field_value, "received", "prod.outlook.com"},
    Marker{F::outlook_com, W::relay_field, "x-message-delivery", ""},
    Marker{F::outlook_com, W::relay_field, "x-message-info", ""},
    Marker{F::outlook_com, W::field_value, "received", ".hotmail.com"},
    Marker{F::yahoo, W::field, "x-ymailisg", ""},
    Marker{F::yahoo, W::body, "", "Sorry, we were unable to deliver your message to the following"},
    Marker{F::zoho, W::field, "x-zohomail", ""},
    Marker{F::gmx, W::field, "x-gmx-antispam", ""},
    Marker{F::mailru, W::message_id, "", ".mail.ru"},
    Marker{F::mailru, W::message_id, "", ".smailru.net"},
    Marker{F::yandex, W::field, "x-yandex-uniq", ""},
    Marker{F::mcafee, W::field_value, "x-nai-header", "modified by mcafee"},
    Marker{F::fml, W::field, "x-mlserver", ""},
    Marker{F::imail, W::field_value, "x-mailer", "<smtp32 v"},
    Marker{F::imail, W::body, "", "Body of message generated response:"},
    // Microsoft Exchange on premises.
    Marker{F::exchange2003, W::field, "x-ms-embedded-report", ""},
    Marker{F::exchange2003, W::field_value, "x-mimeole", "produced by microsoft exchange"},
    Marker{F::exchange2003, W::field_value, "x-mailer", "internet mail service ("},
    Marker{F::exchange2003, W::body, "",
           "Your message did not reach some or all of the intended recipients."},
    Marker{F::exchange2003, W::body, "", "did not reach the following recipient(s):"},
    Marker{F::exchange2003, W::body, "", "MSEXCH:"},
    Marker{F::exchange2003, W::field_value, "received", "with internet mail service ("},
    Marker{F::exchange2007, W::body, "", "Diagnostic information for administrators:"},
    Marker{F::exchange2007, W::body, "", "Delivery has failed to these recipients or groups:"},
    Marker{F::exchange2007, W::body, "", "Generating server:"},
    // Lotus Notes / Domino.
    Marker{F::domino, W::subject_start, "", "delivery failure:"},
    Marker{F::domino, W::subject_start, "", "delivery_failure:"},
    Marker{F::notes, W::body, "", "------- Failure Reasons"},
    // MTA engines.
    Marker{F::dragonfly, W::body, "", "This is the DragonFly Mail Agent"},
    Marker{F::dragonfly, W::field_value, "received", "(dragonfly mail agent"},
    Marker{F::opensmtpd, W::body, "", "This is the MAILER-DAEMON, please DO NOT REPLY"},
    Marker{F::opensmtpd, W::field_value, "received", "(opensmtpd)"},
    Marker{F::courier, W::from, "", "courier mail server at"},
    Marker{F::courier, W::message_id, "", "courier."},
    Marker{F::courier, W::subject_start, "", "notice: mail delivery status."},
    Marker{F::courier, W::subject_start, "", "warning: delayed mail."},
    Marker{F::qmail, W::body, "", "This is the qmail-send program"},
    Marker{F::qmail, W::body, "", "Hi. This is the qmail"},
    Marker{F::qmail, W::field_value, "received", "invoked for bounce)"},
    Marker{F::qmail, W::body, "", "vdelivermail"},
    Marker{F::exim, W::field, "x-failed-recipients", ""},
    Marker{F::exim, W::body, "",
           "This message was created automatically by mail delivery software."},
    Marker{F::exim, W::subject_start, "", "mail delivery failed: returning message to sender"},
    Marker{F::postfix, W::body, "", "This is the mail system at host"},
    Marker{F::postfix, W::body, "", "This is the Postfix program at host"},
    Marker{F::postfix, W::subject_start, "", "undelivered mail returned to sender"},
    Marker{F::postfix, W::subject_start, "", "delayed mail (still being retried)"},
    Marker{F::sendmail, W::body, "", "----- Transcript of session follows -----"},
    Marker{F::sendmail, W::body, "", "----- The following addresses had"},
    Marker{F::sendmail, W::subject_start, "", "returned mail:"},
    Marker{F::sendmail, W::subject_start, "", "warning: could not send message for past"},
};

constexpr std::size_t k_template_bytes = 8192; // where a template's markers are

bool has_field(const MimeMessage& mime, std::string_view name)
{
    for (const MarkerField& field : mime.markers) {
        if (field.name == name) {
            return true;
        }
    }
    return false;
}

bool field_holds(const MimeMessage& mime, std::string_view name, std::string_view lower)
{
    for (const MarkerField& field : mime.markers) {
        if (field.name == name && find_folded(field.value, lower) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

bool present(const Marker& marker, const MimeMessage& mime, std::string_view head)
{
    switch (marker.where) {
    case W::field:
    case W::relay_field:
        return has_field(mime, marker.name);
    case W::field_value:
        return field_holds(mime, marker.name, marker.text);
    case W::from:
        return find_folded(mime.from, marker.text) != std::string_view::npos;
    case W::subject_start:
        return starts_with_folded(trim(mime.subject), marker.text);
    case W::message_id:
        return find_folded(mime.message_id, marker.text) != std::string_view::npos;
    case W::body:
        return find_text(head, marker.text) != std::string_view::npos;
    }
    return false;
}

} // namespace

std::string_view format_name(ReportFormat format)
{
    switch (format) {
    case F::unknown:
        return "unknown";
    case F::rfc3464:
        return "rfc3464";
    case F::sendmail:
        return "sendmail";
    case F::postfix:
        return "postfix";
    case F::exim:
        return "exim";
    case F::qmail:
        return "qmail";
    case F::opensmtpd:
        return "opensmtpd";
    case F::courier:
        return "courier";
    case F::dragonfly:
        return "dragonfly";
    case F::exchange2003:
        return "exchange2003";
    case F::exchange2007:
        return "exchange2007";
    case F::office365:
        return "office365";
    case F::outlook_com:
        return "outlook.com";
    case F::gmail:
        return "gmail";
    case F::google_groups:
        return "googlegroups";
    case F::yahoo:
        return "yahoo";
    case F::amazon_ses:
        return "amazonses";
    case F::zoho:
        return "zoho";
    case F::gmx:
        return "gmx";
    case F::mailru:
        return "mailru";
    case F::yandex:
        return "yandex";
    case F::domino:
        return "domino";
    case F::notes:
        return "notes";
    case F::imail:
        return "imail";
    case F::fml:
        return "fml";
    case F::mcafee:
        return "mcafee";
    case F::powermta:
        return "powermta";
    }
    return "unknown";
}

ReportFormat detect_report_format(const MimeMessage& mime, std::string_view text,
                                  bool has_delivery_status)
{
    const std::string_view head = text.substr(0, k_template_bytes);
    // The report's own fields and text first; then the fields a relaying server adds too;
    // Received lines last (a report relayed through a service's servers carries theirs).
    auto pass_of = [](const Marker& marker) {
        return marker.name == "received" ? 2 : marker.where == W::relay_field ? 1 : 0;
    };
    for (int pass = 0; pass < 3; ++pass) {
        for (const Marker& marker : k_markers) {
            if (pass_of(marker) == pass && present(marker, mime, head)) {
                return marker.format;
            }
        }
    }
    return has_delivery_status ? F::rfc3464 : F::unknown;
}

bool is_delay_notice(std::string_view subject, std::string_view text)
{
    const std::string_view head = text.substr(0, k_template_bytes);
    // Words of a final failure: the software gave up on the message.
    for (std::string_view gave_up :
         {"failed permanently", "will not be retried", "not going to try again", "giving up",
          "could not be delivered for", "permanent error", "permanent fatal errors",
          "has been returned", "delivery has failed", "could not be delivered to one"}) {
        if (find_folded(head, gave_up) != std::string_view::npos) {
            return false;
        }
    }
    const std::string_view title = trim(subject);
    for (std::string_view lower :
         {"warning: could not send message for past", "delayed mail (still being retried)",
          "delivery status notification (delay)", "delivery delayed", "warning: delayed mail",
          "delivery status notification: delayed", "delayed:", "delivery delay notification",
          "mail delivery delayed", "message delayed", "delivery status notification (delay)",
          "warning: delay"}) {
        if (starts_with_folded(title, lower)) {
            return true;
        }
    }
    // Exim: "Warning: message 1abcDE-000123-Xy delayed 24 hours".
    if (starts_with_folded(title, "warning: message ") &&
        find_folded(title, " delayed") != std::string_view::npos) {
        return true;
    }
    for (std::string_view lower :
         {"this is a warning message only", "this is a warning only", "will be retried",
          "will retry for", "delivery incomplete", "still being retried",
          "hasn't been delivered yet", "delivery is delayed to these recipients",
          "will keep trying to deliver this message", "has not yet been delivered",
          "has been delayed", "is delayed for more than", "only a temporary failure report",
          "delays in delivering your message", "will continue trying", "will keep trying",
          "delivery attempts will continue", "no action is required on your part",
          "you do not need to resend"}) {
        if (find_folded(head, lower) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

bool is_filtering_gateway(ReportFormat format)
{
    return format == F::mcafee;
}

} // namespace smtpprobe::ingest
