// sendmail (sm-mta) log lines: deliveries (to= ... stat=), senders (from= ... size=, nrcpts=:
// the recipients after aliasing, one to= line each when final) and the DSNs our own server
// generates ("DSN: Return receipt" is backscatter evidence).
//
// The to= line is sendmail's logdelivery() (8.14-8.18): ", "-separated fields in a fixed
// order, to=, [ctladdr=,] delay=, xdelay=, mailer=, pri=, [relay=,] [dsn=,] [reply=,] stat=.
// Two fields are free text and may hold ", ": reply= (8.17+: the receiver's own words, up to
// the ", stat=" that follows it) and stat= (always last: the rest of the line). sendmail writes
// relay as "host. [ip]" ("[]" when it did not record the address), delay as [d+]hh:mm:ss, and
// stat as its own summary: "Sent (<id> Queued mail for delivery)", "Deferred: 451 4.7.1 ...",
// "Deferred: Connection refused by [ip]", "User unknown" (the seed story's stat for a 5.7.606
// block: the reply, not stat, says what happened). sendmail shortens a long reply with "..."
// (shortenstring): the line then keeps only the reply's ends, recorded as reply_truncated.
#include "monitor/ingest/field_scan.hpp"
#include "monitor/ingest/mta_parsers.hpp"

namespace smtpprobe::ingest {

namespace {

bool is_rest_of_line(std::string_view key)
{
    return key == "stat";
}

// The reply inside stat=: "Sent (250 ok)" -> "250 ok"; "Deferred: 451 x" -> "451 x".
std::string_view stat_reply(std::string_view stat)
{
    std::size_t open = stat.find(" (");
    if (open != std::string_view::npos && stat.back() == ')') {
        return stat.substr(open + 2, stat.size() - open - 3);
    }
    std::size_t colon = stat.find(": ");
    if (colon != std::string_view::npos) {
        return stat.substr(colon + 2);
    }
    return stat;
}

// Where a reply= value ends: at the ", stat=" that follows it (stat= is always last), else
// at the end of the line. A hostile reply holding ", stat=" itself cuts the reply there and
// leaves the rest as stat: the classifier still reads the receiver's first words.
std::size_t reply_end(std::string_view text)
{
    std::size_t end = text.find(", stat=");
    return end == std::string_view::npos ? text.size() : end;
}

RecordKind parse_to(std::string_view fields, LogRecord& record)
{
    std::string_view mailer;
    std::string_view reply_field;
    bool have_reply = false;
    while (!fields.empty()) {
        std::size_t eq = fields.find('=');
        if (eq == std::string_view::npos) {
            break;
        }
        std::string_view key = fields.substr(0, eq);
        fields.remove_prefix(eq + 1);
        std::string_view value;
        if (key == "stat") {
            value = fields;
            fields = {};
        } else {
            std::size_t end = key == "reply" ? reply_end(fields) : fields.find(", ");
            value = fields.substr(0, end);
            fields = end >= fields.size() ? std::string_view() : fields.substr(end + 2);
        }
        switch (key.size()) {
        case 2:
            if (key == "to") {
                record.recipient = scan::strip_angles(value);
            }
            break;
        case 3:
            if (key == "dsn") {
                record.dsn = value;
            }
            break;
        case 4:
            if (key == "stat") {
                record.status = value;
            }
            break;
        case 5:
            if (key == "delay") {
                record.delay = scan::hms_seconds(value);
            } else if (key == "relay") {
                scan::split_relay(value, record.relay_host, record.relay_ip, record.relay_port);
            } else if (key == "reply") {
                reply_field = value;
                have_reply = true;
            } else if (key == "orcpt") {
                record.orig_recipient = value;
            }
            break;
        case 6:
            if (key == "mailer") {
                mailer = value;
            }
            break;
        default:
            break;
        }
    }
    if (record.recipient.empty() || record.status.empty()) {
        return RecordKind::unparseable;
    }
    // The receiver's words win over sendmail's summary in stat= ("User unknown").
    if (have_reply && !reply_field.empty()) {
        record.reply = reply_field;
        record.reply_truncated = reply_field.find("...") != std::string_view::npos;
    } else {
        record.reply = stat_reply(record.status);
    }
    record.local =
        mailer == "local" || mailer == "prog" || mailer == "*file*" || mailer == "*include*";
    return RecordKind::delivery;
}

RecordKind parse_from(std::string_view fields, LogRecord& record)
{
    bool have_from = false;
    scan::for_each_field(
        fields, is_rest_of_line, [&](std::string_view key, std::string_view value) {
            std::int64_t number = 0;
            if (key == "from") {
                record.sender = scan::strip_angles(value);
                have_from = true;
            } else if (key == "size") {
                if (scan::to_int(value, number)) {
                    record.size = number;
                }
            } else if (key == "nrcpts") {
                if (scan::to_int(value, number) && number >= 0 && number < 1000000) {
                    record.recipients = static_cast<int>(number);
                }
                return false; // nothing after nrcpts is needed
            }
            return true;
        });
    return have_from ? RecordKind::message_from : RecordKind::unparseable;
}

} // namespace

RecordKind parse_sendmail(std::string_view message, LogRecord& record)
{
    record.mta = Mta::sendmail;
    std::string_view rest = message;
    record.queue_id = scan::take_queue_id(rest);
    if (record.queue_id.empty()) {
        return RecordKind::ignored; // daemon start, STARTTLS, AUTH, ... lines
    }
    if (scan::starts_with(rest, "to=")) {
        return parse_to(rest, record);
    }
    if (scan::starts_with(rest, "from=")) {
        return parse_from(rest, record);
    }
    // "QID: NEWQID: DSN: Return receipt" — a DSN our server generated for QID.
    std::string_view after = rest;
    std::string_view dsn_queue = scan::take_queue_id(after);
    if (!dsn_queue.empty() && scan::starts_with(after, "DSN: ")) {
        record.detail = rest;
        std::string_view text = after.substr(5);
        record.status = text;
        return scan::starts_with(text, "Return receipt") ? RecordKind::receipt
                                                         : RecordKind::ignored;
    }
    return RecordKind::ignored;
}

} // namespace smtpprobe::ingest
