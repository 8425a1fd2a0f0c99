// RFC 3464 delivery-status fields into a BounceReport (see delivery_status.hpp).
#include "monitor/ingest/bounce/delivery_status.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/recipient_address.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"

namespace smtpprobe::ingest {

namespace {

void set_if_empty(std::string& target, std::string_view value)
{
    if (target.empty()) {
        target = std::string(value);
    }
}

// Whether a field name as written is lower (a lower-case name), ignoring case.
bool is_name(std::string_view name, std::string_view lower)
{
    return name.size() == lower.size() && starts_with_folded(name, lower);
}

// The type of a Diagnostic-Code value ("smtp; 550 ..." -> "smtp"), lower case; "" when the
// value names none (a type is one word of letters, digits and dashes before the ';').
std::string diagnostic_type(std::string_view value)
{
    value = trim(value);
    const std::size_t semicolon = value.find(';');
    if (semicolon == std::string_view::npos || semicolon == 0 || semicolon > 16) {
        return {};
    }
    const std::string_view type = trim(value.substr(0, semicolon));
    for (char c : type) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-')) {
            return {};
        }
    }
    return lower_ascii(type);
}

bool has_recipient(const RecipientReport& r)
{
    return !r.recipient.empty() || !r.original_recipient.empty();
}

} // namespace

void complete_codes(RecipientReport& recipient)
{
    // "Status: 5.1.1 (user unknown)": keep the code only.
    std::string status = find_enhanced_status(recipient.status);
    // The receiver's own reply ("550 5.7.1 ...") wins over the reporting MTA's Status field.
    if (std::optional<ReplyPair> pair = find_last_reply_pair(recipient.diagnostic)) {
        status = pair->status;
        recipient.reply_code = pair->code;
    } else {
        const std::string in_diagnostic = find_enhanced_status(recipient.diagnostic);
        // A generic x.0.0 Status loses to a precise code given in the diagnostic.
        if ((status.empty() || status.ends_with(".0.0")) && !in_diagnostic.empty() &&
            (status.empty() || status[0] == in_diagnostic[0])) {
            status = in_diagnostic;
        }
        if (!recipient.reply_code) {
            recipient.reply_code = find_reply_code(recipient.diagnostic);
        }
    }
    // A reply code of another class than the status is not this recipient's reply.
    if (recipient.reply_code && !status.empty() && *recipient.reply_code / 100 != status[0] - '0') {
        recipient.reply_code.reset();
    }
    recipient.status = status;
}

bool may_hold_recipient_fields(std::string_view text)
{
    // A recipient group needs one of these four fields, and a field name starts its line.
    for (std::size_t pos = 0; pos < text.size();) {
        const std::string_view line = text.substr(pos);
        switch (line[0]) {
        case 'f':
        case 'F':
            if (starts_with_folded(line, "final-recipient")) {
                return true;
            }
            break;
        case 'o':
        case 'O':
            if (starts_with_folded(line, "original-recipient")) {
                return true;
            }
            break;
        case 'a':
        case 'A':
            if (starts_with_folded(line, "action")) {
                return true;
            }
            break;
        case 's':
        case 'S':
            if (starts_with_folded(line, "status")) {
                return true;
            }
            break;
        default:
            break;
        }
        const std::size_t end = find_char(text, '\n', pos);
        if (end == std::string_view::npos) {
            break;
        }
        pos = end + 1;
    }
    return false;
}

std::size_t parse_delivery_status(std::string_view text, BounceReport& report)
{
    std::size_t added = 0;
    RecipientReport current;
    bool current_has_final = false;
    std::string message_sender;
    auto flush = [&]() {
        if (has_recipient(current) || !current.action.empty() || !current.status.empty()) {
            if (current.recipient.empty()) {
                current.recipient = current.original_recipient;
            }
            if (current.sender.empty()) {
                current.sender = message_sender;
            }
            complete_codes(current);
            report.recipients.push_back(std::move(current));
            ++added;
        }
        current = RecipientReport();
        current_has_final = false;
    };
    // The groups of parse_field_groups(text), read in place: no Field strings built.
    std::string buffer; // a folded value, unfolded
    std::size_t pos = 0;
    std::size_t groups = 0; // non-empty groups: at most k_max_fields, as parse_field_groups
    while (pos < text.size() && groups < k_max_fields) {
        bool any = false;
        auto on_field = [&](std::string_view name, std::string_view value) {
            any = true;
            if (is_name(name, "reporting-mta")) {
                set_if_empty(report.reporting_mta, strip_type(value));
            } else if (is_name(name, "arrival-date")) {
                set_if_empty(report.arrival_date, value);
            } else if (is_name(name, "received-from-mta")) {
                set_if_empty(report.received_from_mta, strip_type(value));
            } else if (is_name(name, "x-postfix-sender") || is_name(name, "x-original-sender")) {
                current.sender = clean_address(strip_type(value));
                if (!current_has_final) {
                    message_sender = current.sender;
                }
            } else if (is_name(name, "final-recipient")) {
                if (current_has_final) {
                    flush();
                }
                current.recipient = recipient_field_address(value);
                current_has_final = true;
            } else if (is_name(name, "original-recipient")) {
                if (current_has_final && !current.original_recipient.empty()) {
                    flush();
                }
                current.original_recipient = recipient_field_address(value);
            } else if (is_name(name, "action")) {
                current.action = lower_ascii(trim(value).substr(0, 32));
                const std::size_t space = current.action.find_first_of(" (");
                if (space != std::string::npos) {
                    current.action.resize(space);
                }
            } else if (is_name(name, "status")) {
                current.status = value;
            } else if (is_name(name, "remote-mta")) {
                const std::string_view host = strip_type(value);
                current.remote_mta = std::string(host.substr(0, host.find_first_of(" \t(")));
            } else if (is_name(name, "diagnostic-code")) {
                current.diagnostic = std::string(strip_type(value));
                current.diagnostic_type = diagnostic_type(value);
            } else if (is_name(name, "x-powermta-bouncecategory")) {
                current.category = lower_ascii(trim(value).substr(0, 64));
            } else if (is_name(name, "last-attempt-date")) {
                current.last_attempt = value;
            }
        };
        const std::size_t used = visit_field_group(text.substr(pos), buffer, on_field);
        if (used == 0) {
            break;
        }
        pos += used;
        // A blank line ends a recipient group (empty groups are no groups).
        if (any) {
            ++groups;
            if (current_has_final) {
                flush();
            }
        }
    }
    flush();
    return added;
}

} // namespace smtpprobe::ingest
