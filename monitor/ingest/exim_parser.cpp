// Exim main log lines (Exim's own mainlog, or via syslog), after the spec's chapter "Log
// files" (4.9x): "[pid] MSGID FLAG ADDRESS [<PARENT>] FIELDS [: TEXT]" where FLAG is
//   <=  arrival (sender, S=size; "R=PARENT" marks a DSN Exim generated for PARENT)
//   =>  delivered            ->  another address of the same delivery   >>  cutthrough
//   *>  delivery bypassed by -N (nothing was sent: not a delivery)
//   **  failed (bounced)     ==  deferred
// and FIELDS are "K=value" tokens (R= router, T= transport, H= host, C= confirmation,
// quoted values in "..."), with "defer (ERRNO)" / "routing defer (ERRNO)" on == lines.
// The host is "H=name [ip]:port" (or "H=[ip]"); older Exim put it in the text instead:
// "T=remote_smtp: SMTP error from remote mail server after RCPT TO:<a@b>: host mx.b
// [1.2.3.4]: 550 ...". A local delivery logs the local part or file/pipe first and the full
// address in <...> ("=> alice <alice@host> R=local_user T=mail_spool"): the recipient is
// the full address. "== ... retry time not reached" means Exim did not connect at all: not a
// delivery attempt.
#include "monitor/ingest/field_scan.hpp"
#include "monitor/ingest/mta_parsers.hpp"

#include <algorithm>

namespace smtpprobe::ingest {

namespace {

bool id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// Exim ids: 6-6-2 (before 4.97) or 6-11-4 base-62 groups.
std::size_t message_id_length(std::string_view text)
{
    std::size_t i = 0;
    int groups = 0;
    std::size_t group_len = 0;
    std::size_t lengths[3] = {0, 0, 0};
    while (i < text.size() && (id_char(text[i]) || text[i] == '-')) {
        if (text[i] == '-') {
            if (groups >= 2) {
                return 0;
            }
            lengths[groups++] = group_len;
            group_len = 0;
        } else {
            ++group_len;
        }
        ++i;
    }
    if (groups != 2) {
        return 0;
    }
    lengths[2] = group_len;
    bool old_form = lengths[0] == 6 && lengths[1] == 6 && lengths[2] == 2;
    bool new_form = lengths[0] == 6 && lengths[1] == 11 && lengths[2] == 4;
    return old_form || new_form ? i : 0;
}

std::string_view skip_pid(std::string_view text)
{
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find("] ");
        if (close != std::string_view::npos && close < 12) {
            text.remove_prefix(close + 2);
        }
    }
    return text;
}

// The value of " KEY=" in fields (quoted values keep their content without quotes).
std::string_view field(std::string_view fields, std::string_view key)
{
    std::size_t at = 0;
    for (;;) {
        at = fields.find(key, at);
        if (at == std::string_view::npos) {
            return {};
        }
        if (at == 0 || fields[at - 1] == ' ') {
            break;
        }
        at += key.size();
    }
    std::string_view value = fields.substr(at + key.size());
    if (!value.empty() && value.front() == '"') {
        std::size_t close = value.find('"', 1);
        return value.substr(1, close == std::string_view::npos ? value.size() - 1 : close - 1);
    }
    return value.substr(0, value.find(' '));
}

// "[1.2.3.4]:25" at the start of text -> relay ip/port; returns the length read (0 if none).
std::size_t take_bracketed_ip(std::string_view text, LogRecord& record)
{
    if (text.empty() || text.front() != '[') {
        return 0;
    }
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close > 64) {
        return 0;
    }
    record.relay_ip = text.substr(1, close - 1);
    std::size_t end = close + 1;
    std::size_t digits = end + 1;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (end < text.size() && text[end] == ':' && digits > end + 1) {
        std::int64_t port = 0;
        if (scan::to_int(text.substr(end + 1, digits - end - 1), port) && port > 0 &&
            port < 65536) {
            record.relay_port = static_cast<int>(port);
        }
        end = digits;
    }
    return end;
}

// The end of a field value starting at text (a quoted value runs to its closing quote).
std::size_t value_end(std::string_view text)
{
    if (!text.empty() && text.front() == '"') {
        std::size_t close = text.find('"', 1);
        if (close != std::string_view::npos) {
            return close + 1;
        }
    }
    std::size_t space = text.find(' ');
    return space == std::string_view::npos ? text.size() : space;
}

// Reads the fields after the address; sets relay host/ip/port, T= transport, C=
// confirmation, and returns the free text after the ": " that ends the fields ("" if none).
std::string_view read_fields(std::string_view rest, LogRecord& record, std::string_view& transport,
                             std::string_view& confirmation)
{
    while (!rest.empty()) {
        while (!rest.empty() && rest.front() == ' ') {
            rest.remove_prefix(1);
        }
        if (rest.empty()) {
            break;
        }
        if (scan::starts_with(rest, ": ")) {
            return rest.substr(2);
        }
        if (rest.front() == ':') {
            return rest.substr(1);
        }
        std::size_t eq = 0;
        while (eq < rest.size() && eq < 8 && rest[eq] >= 'A' && rest[eq] <= 'Z') {
            ++eq;
        }
        bool keyed = eq > 0 && eq < rest.size() && rest[eq] == '=';
        std::string_view key = keyed ? rest.substr(0, eq) : std::string_view();
        std::string_view value_text = keyed ? rest.substr(eq + 1) : rest;
        std::size_t end = value_end(value_text);
        std::string_view value = value_text.substr(0, end);
        bool colon_after = !value.empty() && value.back() == ':' && value.front() != '"';
        if (colon_after) {
            value.remove_suffix(1);
        }
        std::string_view after = value_text.substr(end);
        if (key == "H") {
            // "H=name [ip]:port" or "H=[ip]:port"; the name may be followed by "(helo)".
            if (!value.empty() && value.front() == '[') {
                std::size_t used = take_bracketed_ip(value_text, record);
                after = value_text.substr(used);
                colon_after = !after.empty() && after.front() == ':' &&
                              (after.size() == 1 || after[1] == ' ');
            } else {
                record.relay_host = value;
                if (!colon_after && after.size() > 1 && after[1] == '[') {
                    std::size_t used = take_bracketed_ip(after.substr(1), record);
                    after = after.substr(1 + used);
                    colon_after = !after.empty() && after.front() == ':' &&
                                  (after.size() == 1 || after[1] == ' ');
                }
            }
            if (colon_after) {
                return after.substr(std::min<std::size_t>(after.size(), 2));
            }
        } else if (key == "T") {
            transport = value;
        } else if (key == "C") {
            confirmation = value.size() >= 2 && value.front() == '"' && value.back() == '"'
                               ? value.substr(1, value.size() - 2)
                               : value;
        }
        if (colon_after) {
            return after.substr(std::min<std::size_t>(after.size(), 1));
        }
        rest = after;
    }
    return {};
}

// "SMTP error from remote mail server after RCPT TO:<a@b>: [host mx [ip]: ]550 ..." -> the
// reply (and the command it answered, and the host when the old form names it there).
std::string_view remote_reply(std::string_view text, LogRecord& record)
{
    static constexpr std::string_view k_smtp_error = "SMTP error from remote mail server after ";
    static constexpr std::string_view k_timeout = "SMTP timeout after ";
    std::string_view after;
    if (scan::starts_with(text, k_smtp_error)) {
        after = text.substr(k_smtp_error.size());
    } else if (scan::starts_with(text, k_timeout)) {
        after = text.substr(k_timeout.size());
    } else {
        return text;
    }
    if (scan::starts_with(after, "pipelined ")) {
        after.remove_prefix(10);
    }
    if (scan::starts_with(after, "RCPT")) {
        record.command = "RCPT";
    } else if (scan::starts_with(after, "MAIL")) {
        record.command = "MAIL";
    } else if (scan::starts_with(after, "end of data") || scan::starts_with(after, "DATA") ||
               scan::starts_with(after, "sending data block")) {
        record.command = "DATA";
    } else if (scan::starts_with(after, "initial connection")) {
        record.command = "CONNECT";
    } else if (scan::starts_with(after, "EHLO") || scan::starts_with(after, "HELO")) {
        record.command = "HELO";
    } else if (scan::starts_with(after, "STARTTLS")) {
        record.command = "STARTTLS";
    }
    if (scan::starts_with(text, k_timeout)) {
        return text; // Exim's own words: what timed out where
    }
    // The command part may hold ": " only inside <...>; the reply follows the first ": "
    // after the last '>' of the command (or the first one when there is none).
    std::size_t gt = after.find('>');
    std::size_t colon = after.find(": ", gt == std::string_view::npos ? 0 : gt);
    if (colon == std::string_view::npos) {
        return text;
    }
    std::string_view reply = after.substr(colon + 2);
    if (scan::starts_with(reply, "host ")) {
        std::string_view host_part = reply.substr(5);
        std::size_t space = host_part.find(' ');
        if (space != std::string_view::npos) {
            if (record.relay_host.empty()) {
                record.relay_host = host_part.substr(0, space);
            }
            std::string_view bracket = host_part.substr(space + 1);
            LogRecord scratch;
            std::size_t used = take_bracketed_ip(bracket, scratch);
            if (used > 0) {
                if (record.relay_ip.empty()) {
                    record.relay_ip = scratch.relay_ip;
                    record.relay_port = scratch.relay_port;
                }
                bracket.remove_prefix(used);
                if (scan::starts_with(bracket, ": ")) {
                    reply = bracket.substr(2);
                }
            }
        }
    }
    return reply;
}

RecordKind parse_delivery(std::string_view flag, std::string_view rest, LogRecord& record)
{
    if (flag == "*>") {
        return RecordKind::ignored; // -N: delivery bypassed, nothing was sent
    }
    // The address (or local part, file, pipe), then an optional "<parent>", then fields,
    // then (failures) ": text".
    std::string_view address = scan::take_token(rest);
    bool text_follows = !address.empty() && address.back() == ':'; // "** a@b: Unrouteable"
    if (text_follows) {
        address.remove_suffix(1);
    }
    record.recipient = scan::strip_angles(address);
    if (record.recipient.empty()) {
        return RecordKind::unparseable;
    }
    std::string_view parent;
    if (!text_follows && !rest.empty() && rest.front() == '<') {
        std::size_t close = rest.find('>');
        if (close != std::string_view::npos) {
            parent = rest.substr(1, close - 1);
            text_follows = close + 1 < rest.size() && rest[close + 1] == ':';
            rest.remove_prefix(std::min(rest.size(), close + (text_follows ? 3 : 2)));
        }
    }
    // A local part, file or pipe first: the full address is the one in <...>.
    if (!parent.empty() && record.recipient.find('@') == std::string_view::npos) {
        record.recipient = parent;
    } else {
        record.orig_recipient = parent;
    }
    std::string_view transport;
    std::string_view confirmation;
    std::string_view text =
        text_follows ? rest : read_fields(rest, record, transport, confirmation);
    if (record.relay_host.empty() && record.relay_ip.empty()) {
        // "defer (110): Connection timed out H=mx.b [1.2.3.4]: SMTP timeout after ...": the
        // errno text comes before the host on such lines.
        std::size_t h = text.find(" H=");
        if (h != std::string_view::npos) {
            std::string_view ignored_transport;
            std::string_view ignored_confirmation;
            read_fields(text.substr(h + 1), record, ignored_transport, ignored_confirmation);
        }
    }
    std::string_view reply = remote_reply(text, record);
    record.local = record.relay_host.empty() && record.relay_ip.empty() &&
                   transport.find("smtp") == std::string_view::npos && !transport.empty();
    if (flag == "=>" || flag == "->" || flag == ">>") {
        record.status = "sent";
        record.reply = confirmation;
        record.dsn = scan::reply_enhanced_status(confirmation);
        return RecordKind::delivery;
    }
    if (flag == "==" && text.find("retry time not reached") != std::string_view::npos) {
        return RecordKind::ignored; // Exim did not try: no connection, not an attempt
    }
    record.status = flag == "**" ? "bounced" : "deferred";
    record.reply = reply;
    record.dsn = scan::reply_enhanced_status(reply); // Exim logs no dsn field
    return RecordKind::delivery;
}

} // namespace

bool looks_like_exim(std::string_view message)
{
    return message_id_length(skip_pid(message)) > 0;
}

RecordKind parse_exim(std::string_view message, LogRecord& record)
{
    record.mta = Mta::exim;
    std::string_view rest = skip_pid(message);
    std::size_t id_length = message_id_length(rest);
    if (id_length == 0 || id_length + 1 >= rest.size() || rest[id_length] != ' ') {
        return RecordKind::ignored; // daemon, queue runner, connection lines
    }
    record.queue_id = rest.substr(0, id_length);
    rest.remove_prefix(id_length + 1);
    std::string_view flag = rest.substr(0, 2);
    if (rest.size() > 3 && rest[2] == ' ') {
        if (flag == "=>" || flag == "->" || flag == "**" || flag == "==" || flag == "*>" ||
            flag == ">>") {
            return parse_delivery(flag, rest.substr(3), record);
        }
        if (flag == "<=") {
            std::string_view fields = rest.substr(3);
            std::string_view sender = scan::take_token(fields);
            record.sender = scan::strip_angles(sender);
            if (record.sender == "<>") {
                record.sender = {};
            }
            // "<= <> R=PARENT U=Debian-exim P=local": a DSN Exim generated for PARENT.
            if (sender == "<>" && scan::starts_with(fields, "R=")) {
                record.dsn_parent = field(fields, "R=");
                record.hint = LineHint::dsn_generated;
            }
            std::int64_t size = 0;
            if (scan::to_int(field(fields, "S="), size)) {
                record.size = size;
            }
            return RecordKind::message_from;
        }
    }
    if (scan::starts_with(rest, "H=")) {
        // "MSGID H=mx.b [1.2.3.4] Connection refused": the host of the "==" line after it.
        std::string_view transport;
        std::string_view confirmation;
        read_fields(rest, record, transport, confirmation);
        record.hint = LineHint::host_seen;
        return RecordKind::ignored;
    }
    if (rest == "Completed" || scan::starts_with(rest, "Completed ")) {
        return RecordKind::message_removed;
    }
    return RecordKind::ignored;
}

} // namespace smtpprobe::ingest
