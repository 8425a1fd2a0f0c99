// OpenSMTPD (smtpd[pid]:) log lines, after the tag. Every line starts with a 16-hex-digit
// session id; the word after it says what the line is (mta.c mta_log, mda.c mda_log,
// smtp_session.c):
//   SID mta delivery evpid=EVP from=<s> to=<r> rcpt=<o|-> source="IP" relay="IP (ptr)"
//       delay=1s result="Ok|TempFail|PermFail|Loop" stat="250 2.0.0 Ok ..."   (remote)
//   SID mda delivery evpid=EVP from=<s> to=<r> [rcpt=<o> ]user=u delay=0s result=Ok
//       stat=Delivered                                                        (local)
//   SID smtp envelope evpid=EVP from=<s> to=<r>                 (a recipient was queued)
// The queue id is the message id: the first 8 hex digits of the envelope id. Older releases
// wrote relay as "ptr [IP]"; both are read. stat= is last and quoted, and holds the peer's
// words: it is read up to the line's closing quote. A delivery from <> carrying "Delivered"
// status text is a DSN of ours (see is_success_dsn below).
#include "monitor/ingest/field_scan.hpp"
#include "monitor/ingest/mta_parsers.hpp"

namespace smtpprobe::ingest {

namespace {

bool hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// "1a2b3c4d5e6f7a8b " at the start -> true and advances past it.
bool take_session_id(std::string_view& text)
{
    if (text.size() < 17 || text[16] != ' ') {
        return false;
    }
    for (std::size_t i = 0; i < 16; ++i) {
        if (!hex_digit(text[i])) {
            return false;
        }
    }
    text.remove_prefix(17);
    return true;
}

// Calls visit(key, value) for each space-separated "key=value"; values are <...>, "..." (the
// last field, stat, runs to the closing quote at the end of the line) or bare words.
template <typename Visit>
void for_each_pair(std::string_view text, Visit visit)
{
    while (!text.empty()) {
        while (!text.empty() && text.front() == ' ') {
            text.remove_prefix(1);
        }
        std::size_t eq = text.find('=');
        if (eq == std::string_view::npos || eq > 16) {
            return;
        }
        std::string_view key = text.substr(0, eq);
        text.remove_prefix(eq + 1);
        std::string_view value;
        if (!text.empty() && text.front() == '"') {
            std::size_t close = key == "stat" ? text.rfind('"') : text.find('"', 1);
            if (close == 0 || close == std::string_view::npos) {
                close = text.size();
            }
            value = text.substr(1, close - 1);
            text.remove_prefix(std::min(text.size(), close + 1));
        } else if (key == "stat") {
            value = text; // mda lines: unquoted, the rest of the line
            text = {};
        } else {
            std::size_t end = text.find(' ');
            value = text.substr(0, end);
            text = end == std::string_view::npos ? std::string_view() : text.substr(end);
        }
        if (!visit(key, value)) {
            return;
        }
    }
}

// relay="192.0.2.1 (mx.example.com)" (6.x) or "mx.example.com [192.0.2.1]" (5.x).
void split_relay(std::string_view relay, LogRecord& record)
{
    std::size_t open = relay.find(" (");
    if (open != std::string_view::npos && relay.back() == ')') {
        record.relay_ip = relay.substr(0, open);
        record.relay_host = relay.substr(open + 2, relay.size() - open - 3);
        return;
    }
    if (relay.find('[') != std::string_view::npos) {
        scan::split_relay(relay, record.relay_host, record.relay_ip, record.relay_port);
        return;
    }
    // No PTR: a bare address; or, when no connection was made, the MX name alone.
    bool address = relay.find(':') != std::string_view::npos ||
                   relay.find_first_not_of("0123456789.") == std::string_view::npos;
    (address ? record.relay_ip : record.relay_host) = relay;
}

RecordKind parse_delivery(std::string_view fields, bool remote, LogRecord& record)
{
    std::string_view result;
    std::string_view evpid;
    for_each_pair(fields, [&](std::string_view key, std::string_view value) {
        if (key == "evpid") {
            evpid = value;
        } else if (key == "from") {
            record.sender = scan::strip_angles(value);
        } else if (key == "to") {
            record.recipient = scan::strip_angles(value);
        } else if (key == "rcpt") {
            std::string_view rcpt = scan::strip_angles(value);
            record.orig_recipient = rcpt == "-" ? std::string_view() : rcpt;
        } else if (key == "relay") {
            split_relay(value, record);
        } else if (key == "delay") {
            record.delay = scan::duration_seconds(value);
        } else if (key == "result") {
            result = value;
        } else if (key == "stat") {
            record.reply = value;
        }
        return true;
    });
    if (evpid.size() != 16 || record.recipient.empty() || result.empty()) {
        return RecordKind::unparseable;
    }
    record.queue_id = evpid.substr(0, 8);
    record.local = !remote;
    if (result == "Ok") {
        record.status = "sent";
    } else if (result == "TempFail") {
        record.status = "deferred";
    } else if (result == "PermFail" || result == "Loop") {
        record.status = "bounced";
    } else {
        record.status = result;
    }
    record.dsn = scan::reply_enhanced_status(record.reply);
    return RecordKind::delivery;
}

RecordKind parse_envelope(std::string_view fields, LogRecord& record)
{
    std::string_view evpid;
    bool have_from = false;
    for_each_pair(fields, [&](std::string_view key, std::string_view value) {
        if (key == "evpid") {
            evpid = value;
        } else if (key == "from") {
            record.sender = scan::strip_angles(value);
            have_from = true;
        } else if (key == "to") {
            record.recipient = scan::strip_angles(value);
        }
        return true;
    });
    if (evpid.size() != 16 || !have_from) {
        return RecordKind::ignored;
    }
    record.queue_id = evpid.substr(0, 8);
    if (record.sender.empty()) {
        record.hint = LineHint::dsn_generated; // from=<>: a DSN; LogContext decides which kind
    }
    return RecordKind::message_from;
}

} // namespace

RecordKind parse_opensmtpd(std::string_view message, LogRecord& record)
{
    record.mta = Mta::opensmtpd;
    std::string_view rest = message;
    if (!take_session_id(rest)) {
        return RecordKind::ignored; // "info: OpenSMTPD ... starting", warnings
    }
    record.session = message.substr(0, 16);
    if (scan::starts_with(rest, "smtp connected address=local ")) {
        record.hint = LineHint::local_session; // smtpd injecting its own DSN
        return RecordKind::ignored;
    }
    if (scan::starts_with(rest, "mta delivery ")) {
        return parse_delivery(rest.substr(13), true, record);
    }
    if (scan::starts_with(rest, "mda delivery ")) {
        return parse_delivery(rest.substr(13), false, record);
    }
    if (scan::starts_with(rest, "smtp envelope ")) {
        return parse_envelope(rest.substr(14), record);
    }
    return RecordKind::ignored; // connections, TLS, "smtp message", disconnects
}

} // namespace smtpprobe::ingest
