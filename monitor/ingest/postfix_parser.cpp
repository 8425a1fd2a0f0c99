// Postfix log lines. Deliveries come from the delivery agents (smtp, lmtp, error, retry,
// local, virtual, pipe) and from qmgr (expired messages):
//   QID: to=<a@b>, orig_to=<c@d>, relay=mx.b[1.2.3.4]:25, delay=1.2, delays=0.1/0/0.5/0.6,
//        dsn=5.7.1, status=bounced (host mx.b[1.2.3.4] said: 550 5.7.1 ... (in reply to RCPT
//        TO command))
// qmgr gives the sender and size ("QID: from=<s>, size=123, nrcpt=1 (queue active)") and the
// end of a message ("QID: removed"); bounce says when we generate a DSN, and "sender delivery
// status notification" is a success DSN: backscatter evidence.
#include "monitor/ingest/field_scan.hpp"
#include "monitor/ingest/mta_parsers.hpp"

namespace smtpprobe::ingest {

namespace {

bool is_rest_of_line(std::string_view key)
{
    return key == "status";
}

// "host mx[ip] said: 550 5.7.1 text (in reply to RCPT TO command)" -> "550 5.7.1 text";
// anything else is kept whole ("connect to mx[ip]:25: Connection refused").
std::string_view remote_words(std::string_view reply, LogRecord& record)
{
    if (scan::starts_with(reply, "host ")) {
        std::size_t said = reply.find(" said: ");
        if (said != std::string_view::npos) {
            reply.remove_prefix(said + 7);
        }
    }
    static constexpr std::string_view k_in_reply = " (in reply to ";
    std::size_t in_reply = reply.rfind(k_in_reply);
    if (in_reply != std::string_view::npos && reply.back() == ')') {
        // "RCPT TO command", "end of DATA command", "MAIL FROM command", "DATA command"
        std::string_view command = reply.substr(in_reply + k_in_reply.size());
        if (scan::starts_with(command, "RCPT")) {
            record.command = "RCPT";
        } else if (scan::starts_with(command, "MAIL")) {
            record.command = "MAIL";
        } else if (scan::starts_with(command, "end of DATA") ||
                   scan::starts_with(command, "DATA")) {
            record.command = "DATA";
        } else if (scan::starts_with(command, "initial protocol greeting")) {
            record.command = "CONNECT";
        } else if (scan::starts_with(command, "EHLO") || scan::starts_with(command, "HELO")) {
            record.command = "HELO";
        }
        reply = reply.substr(0, in_reply);
    }
    return reply;
}

RecordKind parse_to(std::string_view service, std::string_view fields, LogRecord& record)
{
    scan::for_each_field(
        fields, is_rest_of_line, [&](std::string_view key, std::string_view value) {
            if (key == "to") {
                record.recipient = scan::strip_angles(value);
            } else if (key == "orig_to") {
                record.orig_recipient = scan::strip_angles(value);
            } else if (key == "relay") {
                if (value != "none") {
                    scan::split_relay(value, record.relay_host, record.relay_ip, record.relay_port);
                }
            } else if (key == "delay") {
                double delay = 0;
                if (scan::to_double(value, delay)) {
                    record.delay = delay;
                }
            } else if (key == "dsn") {
                record.dsn = value;
            } else if (key == "status") {
                // "sent (250 ok)", "deferred (reason)", "bounced (reason)", "expired, returned
                // to sender", "undeliverable (...)" (address verification).
                std::size_t end = value.find_first_of(" ,");
                record.status = value.substr(0, end);
                std::size_t open = value.find(" (");
                if (open != std::string_view::npos && value.back() == ')') {
                    record.reply =
                        remote_words(value.substr(open + 2, value.size() - open - 3), record);
                } else if (end != std::string_view::npos) {
                    std::string_view rest = value.substr(end + 1);
                    while (!rest.empty() && rest.front() == ' ') {
                        rest.remove_prefix(1);
                    }
                    record.reply = rest;
                }
            }
            return true;
        });
    if (record.recipient.empty() || record.status.empty()) {
        return RecordKind::unparseable;
    }
    record.local = service == "local" || service == "virtual" || service == "pipe" ||
                   service == "lmtp" || record.relay_host == "local" ||
                   record.relay_host == "virtual";
    return RecordKind::delivery;
}

RecordKind parse_from(std::string_view fields, LogRecord& record)
{
    bool have_from = false;
    bool have_status = false;
    scan::for_each_field(
        fields, is_rest_of_line, [&](std::string_view key, std::string_view value) {
            if (key == "from") {
                record.sender = scan::strip_angles(value);
                have_from = true;
            } else if (key == "size") {
                std::int64_t size = 0;
                if (scan::to_int(value, size)) {
                    record.size = size;
                }
            } else if (key == "status") {
                have_status = true; // "from=<s>, status=expired, returned to sender"
            }
            return true;
        });
    if (!have_from) {
        return RecordKind::unparseable;
    }
    return have_status || record.size < 0 ? RecordKind::ignored : RecordKind::message_from;
}

} // namespace

RecordKind parse_postfix(std::string_view service, std::string_view message, LogRecord& record)
{
    record.mta = Mta::postfix;
    std::string_view rest = message;
    record.queue_id = scan::take_queue_id(rest);
    if (record.queue_id.empty()) {
        return RecordKind::ignored; // connect, disconnect, warnings, statistics
    }
    if (scan::starts_with(rest, "to=")) {
        return parse_to(service, rest, record);
    }
    if (service == "qmgr") {
        if (scan::starts_with(rest, "from=")) {
            return parse_from(rest, record);
        }
        if (rest == "removed") {
            return RecordKind::message_removed;
        }
        return RecordKind::ignored;
    }
    if (service == "bounce" && scan::starts_with(rest, "sender delivery status notification: ")) {
        record.detail = rest;
        record.status = "sender delivery status notification";
        return RecordKind::receipt;
    }
    return RecordKind::ignored;
}

} // namespace smtpprobe::ingest
