// Amazon SES JSON notifications (see ses_notification.hpp).
#include "monitor/ingest/bounce/ses_notification.hpp"

#include "monitor/ingest/bounce/delivery_status.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::ingest {

namespace {

std::string string_at(const nlohmann::json& object, const char* key)
{
    if (!object.is_object()) {
        return {};
    }
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

bool parse_ses_notification(std::string_view text, BounceReport& report)
{
    const std::size_t open = text.find('{');
    if (open == std::string_view::npos ||
        text.find("\"notificationType\"") == std::string_view::npos) {
        return false;
    }
    const std::size_t close = text.rfind('}');
    if (close == std::string_view::npos || close < open) {
        return false;
    }
    // Mail transport may have wrapped the one-line JSON: drop the line breaks.
    std::string body(text.substr(open, close - open + 1));
    std::erase(body, '\n');
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return false;
    }
    const std::string type = lower_ascii(string_at(doc, "notificationType"));
    const nlohmann::json& mail = doc.contains("mail") ? doc["mail"] : nlohmann::json();
    if (mail.is_object()) {
        report.original.message_id = string_at(mail, "messageId");
        report.original.from = string_at(mail, "source");
        if (mail.contains("commonHeaders") && mail["commonHeaders"].is_object()) {
            report.original.subject = string_at(mail["commonHeaders"], "subject");
        }
    }
    auto recipients_of = [](const nlohmann::json& event, const char* key) {
        return event.is_object() && event.contains(key) && event[key].is_array()
                   ? event[key]
                   : nlohmann::json::array();
    };
    if (type == "bounce" && doc.contains("bounce")) {
        const nlohmann::json& bounce = doc["bounce"];
        report.reporting_mta = std::string(strip_type(string_at(bounce, "reportingMTA")));
        for (const nlohmann::json& r : recipients_of(bounce, "bouncedRecipients")) {
            RecipientReport recipient;
            recipient.recipient = lower_ascii(string_at(r, "emailAddress"));
            recipient.action = lower_ascii(string_at(r, "action"));
            recipient.status = string_at(r, "status");
            recipient.diagnostic = std::string(strip_type(string_at(r, "diagnosticCode")));
            if (recipient.action.empty()) {
                recipient.action = lower_ascii(string_at(bounce, "bounceType")) == "transient"
                                       ? "delayed"
                                       : "failed";
            }
            complete_codes(recipient);
            report.recipients.push_back(std::move(recipient));
        }
    } else if (type == "complaint" && doc.contains("complaint")) {
        const nlohmann::json& complaint = doc["complaint"];
        report.kind = ReportKind::complaint;
        report.feedback_type = lower_ascii(string_at(complaint, "complaintFeedbackType"));
        for (const nlohmann::json& r : recipients_of(complaint, "complainedRecipients")) {
            RecipientReport recipient;
            recipient.recipient = lower_ascii(string_at(r, "emailAddress"));
            recipient.action = "failed";
            recipient.diagnostic = "complaint";
            report.recipients.push_back(std::move(recipient));
        }
    } else if (type == "delivery" && doc.contains("delivery")) {
        const nlohmann::json& delivery = doc["delivery"];
        report.kind = ReportKind::receipt;
        report.reporting_mta = string_at(delivery, "reportingMTA");
        for (const nlohmann::json& r : recipients_of(delivery, "recipients")) {
            RecipientReport recipient;
            recipient.recipient = r.is_string() ? lower_ascii(r.get<std::string>()) : std::string();
            recipient.action = "delivered";
            recipient.diagnostic = string_at(delivery, "smtpResponse");
            recipient.remote_mta = string_at(delivery, "remoteMtaIp");
            complete_codes(recipient);
            report.recipients.push_back(std::move(recipient));
        }
    } else {
        return false;
    }
    return !report.recipients.empty();
}

} // namespace smtpprobe::ingest
