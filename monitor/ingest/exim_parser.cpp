// Exim main log lines (Exim's own mainlog, or via syslog):
//   1hAbCd-000123-AB => a@b R=dnslookup T=remote_smtp H=mx.b [1.2.3.4] C="250 2.0.0 OK"
//   1hAbCd-000123-AB -> c@b R=... (another address of the same delivery)
//   1hAbCd-000123-AB ** a@b R=dnslookup T=remote_smtp H=mx.b [1.2.3.4]: SMTP error from
//       remote mail server after RCPT TO:<a@b>: 550 5.7.1 ...
//   1hAbCd-000123-AB == a@b R=dnslookup T=remote_smtp defer (-44) H=mx.b [1.2.3.4]: SMTP
//       error from remote mail server after RCPT TO:<a@b>: 451 4.7.1 ...
//   1hAbCd-000123-AB <= s@x H=... P=esmtp S=1234 id=...    (sender and size)
//   1hAbCd-000123-AB Completed                              (left the queue)
// An optional "[pid] " precedes the message id (log_selector +pid).
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

// "mx.b [1.2.3.4]:25 rest" / "[1.2.3.4] rest" -> relay fields; returns what follows.
std::string_view take_host(std::string_view text, LogRecord& record)
{
    std::size_t at = 0;
    if (text.empty() || text.front() != '[') {
        at = text.find(' ');
        if (at == std::string_view::npos) {
            record.relay_host = text;
            return {};
        }
        record.relay_host = text.substr(0, at);
        if (at + 1 >= text.size() || text[at + 1] != '[') {
            return text.substr(at);
        }
        ++at;
    }
    std::size_t close = text.find(']', at);
    if (close == std::string_view::npos) {
        return text.substr(at);
    }
    record.relay_ip = text.substr(at + 1, close - at - 1);
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
    return text.substr(end);
}

RecordKind parse_delivery(std::string_view flag, std::string_view rest, LogRecord& record)
{
    // The address, then an optional "<parent>", then fields, then (failures) ": text".
    std::string_view address = scan::take_token(rest);
    bool text_follows = !address.empty() && address.back() == ':'; // "** a@b: Unrouteable"
    if (text_follows) {
        address.remove_suffix(1);
    }
    record.recipient = scan::strip_angles(address);
    if (record.recipient.empty()) {
        return RecordKind::unparseable;
    }
    if (!text_follows && !rest.empty() && rest.front() == '<') {
        std::size_t close = rest.find('>');
        if (close != std::string_view::npos) {
            record.orig_recipient = rest.substr(1, close - 1);
            rest.remove_prefix(std::min(rest.size(), close + 2));
        }
    }
    std::string_view after_host = rest;
    std::size_t h = text_follows ? std::string_view::npos : rest.find("H=");
    while (h != std::string_view::npos && h > 0 && rest[h - 1] != ' ') {
        h = rest.find("H=", h + 2);
    }
    if (h != std::string_view::npos) {
        after_host = take_host(rest.substr(h + 2), record);
    } else {
        record.local = true; // appendfile, pipe, autoreply: no remote host
    }
    if (flag == "=>" || flag == "->" || flag == "*>") {
        record.status = "sent";
        record.reply = field(rest, "C=");
        return RecordKind::delivery;
    }
    record.status = flag == "**" ? "bounced" : "deferred";
    std::string_view text;
    if (text_follows) {
        text = rest;
    } else {
        std::size_t colon = after_host.find(": ");
        if (colon == std::string_view::npos && !after_host.empty() && after_host.front() == ':') {
            colon = 0;
        }
        if (colon == std::string_view::npos) {
            colon = rest.find(": ");
            after_host = rest;
        }
        if (colon != std::string_view::npos) {
            text = after_host.substr(std::min(after_host.size(), colon + 2));
        }
    }
    static constexpr std::string_view k_smtp_error = "SMTP error from remote mail server";
    if (scan::starts_with(text, k_smtp_error)) {
        std::size_t words = text.find(": ", k_smtp_error.size());
        if (words != std::string_view::npos) {
            text.remove_prefix(words + 2);
        }
    }
    record.reply = text;
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
        if (flag == "=>" || flag == "->" || flag == "**" || flag == "==" || flag == "*>") {
            return parse_delivery(flag, rest.substr(3), record);
        }
        if (flag == "<=") {
            std::string_view fields = rest.substr(3);
            record.sender = scan::strip_angles(scan::take_token(fields));
            if (record.sender == "<>") {
                record.sender = {};
            }
            std::int64_t size = 0;
            if (scan::to_int(field(fields, "S="), size)) {
                record.size = size;
            }
            return RecordKind::message_from;
        }
    }
    if (rest == "Completed" || scan::starts_with(rest, "Completed ")) {
        return RecordKind::message_removed;
    }
    return RecordKind::ignored;
}

} // namespace smtpprobe::ingest
