// The field and phrase readers of the bounce parser against their former definitions (kept
// here as the reference), on hand-made cases and every corpus message (as written and
// case-scrambled): parse_selected_fields == parse_field_group + field_value,
// may_hold_recipient_fields false => parse_delivery_status adds nothing, parse_delivery_status
// and parse_field_group == their field-building versions, find_smtp_command and
// find_transcript_command == their lower-case-copy versions.
#include "monitor/ingest/bounce/delivery_status.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/recipient_address.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"
#include "tests/monitor/ingest/corpus_texts.hpp"

#include <array>
#include <doctest/doctest.h>
#include <string>
#include <utility>
#include <vector>

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::texts;

namespace {

// The former find_smtp_command: a lower-case copy, one search per phrase.
std::string slow_smtp_command(std::string_view text)
{
    const std::string lower = lower_ascii(text.substr(0, 8000));
    auto command_at = [&](std::size_t at) -> std::string {
        std::string_view rest = std::string_view(lower).substr(at);
        while (!rest.empty() &&
               (rest.front() == ' ' || rest.front() == '\n' || rest.front() == ':')) {
            rest.remove_prefix(1);
        }
        if (rest.starts_with("end of data") || rest.starts_with("data") ||
            rest.starts_with("end of message") || rest.starts_with("message body")) {
            return "DATA";
        }
        if (rest.starts_with("rcpt")) {
            return "RCPT";
        }
        if (rest.starts_with("mail")) {
            return "MAIL";
        }
        if (rest.starts_with("helo") || rest.starts_with("ehlo")) {
            return "HELO";
        }
        if (rest.starts_with("initial connection") || rest.starts_with("connect") ||
            rest.starts_with("greeting") || rest.starts_with("banner")) {
            return "CONNECT";
        }
        return {};
    };
    for (std::string_view phrase :
         {"in reply to ", "after ", "smtp command", ">>> ", "most progress was ",
          "smtp:", "command:", "while sending ", "did not like our final ", "did not like our ",
          "error from remote server for "}) {
        std::string command;
        for (std::size_t at = lower.find(phrase); at != std::string::npos;
             at = lower.find(phrase, at + 1)) {
            std::string c = command_at(at + phrase.size());
            if (!c.empty()) {
                command = c;
            }
        }
        if (!command.empty()) {
            return command;
        }
    }
    const std::array<std::pair<std::string_view, const char*>, 13> words = {{
        {"[rcpt_to]", "RCPT"},
        {"recipient address rejected", "RCPT"},
        {"does not like recipient", "RCPT"},
        {"sender was rejected", "MAIL"},
        {"server response to mail from", "MAIL"},
        {"after i sent the message", "DATA"},
        {"failed after i sent", "DATA"},
        {"failed on data command", "DATA"},
        {"but my name was rejected", "HELO"},
        {"but greeting failed", "CONNECT"},
        {"refused to talk to me", "CONNECT"},
        {"initial server greeting", "CONNECT"},
        {"unexpected connection response", "CONNECT"},
    }};
    for (const auto& [word, command] : words) {
        if (lower.find(word) != std::string::npos) {
            return command;
        }
    }
    return {};
}

// The former find_transcript_command: a lower-case copy of the text, read line by line.
std::string slow_transcript_command(std::string_view text, std::string_view recipient)
{
    if (recipient.empty()) {
        return {};
    }
    const std::string lower = lower_ascii(text.substr(0, 16000));
    const std::string who = lower_ascii(recipient);
    std::string last_sent;
    std::size_t pos = 0;
    while (pos < lower.size()) {
        std::size_t end = lower.find('\n', pos);
        if (end == std::string::npos) {
            end = lower.size();
        }
        std::string_view line = std::string_view(lower).substr(pos, end - pos);
        pos = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        if (line.starts_with(">>> ")) {
            const std::string_view sent = line.substr(4);
            if (sent.starts_with("rcpt")) {
                last_sent = sent.find(who) != std::string_view::npos ? "RCPT" : "RCPT-other";
            } else if (sent.starts_with("data") || sent.starts_with(".")) {
                last_sent = "DATA";
            } else if (sent.starts_with("mail")) {
                last_sent = "MAIL";
            } else if (sent.starts_with("helo") || sent.starts_with("ehlo")) {
                last_sent = "HELO";
            } else {
                last_sent.clear();
            }
            continue;
        }
        if (line.starts_with("<<< ") && line.size() > 4 && (line[4] == '4' || line[4] == '5')) {
            if (last_sent == "RCPT") {
                return last_sent;
            }
            if (line.find(who) != std::string_view::npos && !last_sent.empty() &&
                last_sent != "RCPT-other") {
                return last_sent;
            }
        }
    }
    return {};
}

// The former parse_field_group: every field built as a lower-case name and a value string.
std::vector<Field> slow_field_group(std::string_view text, std::size_t* consumed)
{
    std::vector<Field> fields;
    std::size_t pos = 0;
    bool last_was_field = false;
    while (pos < text.size() && text[pos] == '\n') {
        ++pos;
    }
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        const std::size_t next = end == std::string_view::npos ? text.size() : end + 1;
        std::string_view line = text.substr(pos, next - pos);
        if (!line.empty() && line.back() == '\n') {
            line.remove_suffix(1);
        }
        pos = next;
        if (trim(line).empty()) {
            break;
        }
        if ((line[0] == ' ' || line[0] == '\t') && last_was_field) {
            std::string& value = fields.back().value;
            if (value.size() < k_max_field_bytes) {
                std::string_view more = trim(line);
                if (!value.empty()) {
                    value += ' ';
                }
                value.append(more.substr(0, k_max_field_bytes - value.size()));
            }
            continue;
        }
        std::size_t colon = line.find(':');
        std::size_t name_end = 0;
        while (name_end < line.size() && line[name_end] > 32 && line[name_end] < 127 &&
               line[name_end] != ':') {
            ++name_end;
        }
        std::size_t after = name_end;
        while (after < line.size() && (line[after] == ' ' || line[after] == '\t')) {
            ++after;
        }
        if (colon == std::string_view::npos || name_end == 0 || after != colon ||
            fields.size() >= k_max_fields) {
            last_was_field = false;
            continue;
        }
        fields.push_back(
            Field{lower_ascii(line.substr(0, name_end)),
                  std::string(trim(line.substr(colon + 1)).substr(0, k_max_field_bytes))});
        last_was_field = true;
    }
    *consumed = pos;
    return fields;
}

// The former parse_delivery_status: every group built first (slow_field_group), then read.
BounceReport slow_delivery_status(std::string_view text)
{
    std::vector<std::vector<Field>> groups;
    for (std::size_t pos = 0; pos < text.size() && groups.size() < k_max_fields;) {
        std::size_t used = 0;
        std::vector<Field> group = slow_field_group(text.substr(pos), &used);
        if (used == 0) {
            break;
        }
        pos += used;
        if (!group.empty()) {
            groups.push_back(std::move(group));
        }
    }
    BounceReport report;
    RecipientReport current;
    bool has_final = false;
    std::string message_sender;
    auto flush = [&]() {
        if (!current.recipient.empty() || !current.original_recipient.empty() ||
            !current.action.empty() || !current.status.empty()) {
            if (current.recipient.empty()) {
                current.recipient = current.original_recipient;
            }
            if (current.sender.empty()) {
                current.sender = message_sender;
            }
            complete_codes(current);
            report.recipients.push_back(std::move(current));
        }
        current = RecipientReport();
        has_final = false;
    };
    auto set_if_empty = [](std::string& target, std::string_view value) {
        if (target.empty()) {
            target = std::string(value);
        }
    };
    for (const std::vector<Field>& group : groups) {
        for (const Field& field : group) {
            const std::string& name = field.name;
            if (name == "reporting-mta") {
                set_if_empty(report.reporting_mta, strip_type(field.value));
            } else if (name == "arrival-date") {
                set_if_empty(report.arrival_date, field.value);
            } else if (name == "received-from-mta") {
                set_if_empty(report.received_from_mta, strip_type(field.value));
            } else if (name == "x-postfix-sender" || name == "x-original-sender") {
                current.sender = clean_address(strip_type(field.value));
                if (!has_final) {
                    message_sender = current.sender;
                }
            } else if (name == "final-recipient") {
                if (has_final) {
                    flush();
                }
                current.recipient = recipient_field_address(field.value);
                has_final = true;
            } else if (name == "original-recipient") {
                if (has_final && !current.original_recipient.empty()) {
                    flush();
                }
                current.original_recipient = recipient_field_address(field.value);
            } else if (name == "action") {
                current.action = lower_ascii(trim(field.value).substr(0, 32));
                const std::size_t space = current.action.find_first_of(" (");
                if (space != std::string::npos) {
                    current.action.resize(space);
                }
            } else if (name == "status") {
                current.status = field.value;
            } else if (name == "remote-mta") {
                const std::string_view host = strip_type(field.value);
                current.remote_mta = std::string(host.substr(0, host.find_first_of(" \t(")));
            } else if (name == "diagnostic-code") {
                current.diagnostic = std::string(strip_type(field.value));
            } else if (name == "last-attempt-date") {
                current.last_attempt = field.value;
            }
        }
        if (has_final) {
            flush();
        }
    }
    flush();
    return report;
}

std::string describe(const BounceReport& r)
{
    std::string out = r.reporting_mta + "|" + r.arrival_date + "|" + r.received_from_mta + "\n";
    for (const RecipientReport& x : r.recipients) {
        out += x.recipient + "|" + x.original_recipient + "|" + x.action + "|" + x.status + "|" +
               std::to_string(x.reply_code.value_or(0)) + "|" + x.remote_mta + "|" + x.diagnostic +
               "|" + x.last_attempt + "|" + x.sender + "\n";
    }
    return out;
}

} // namespace

TEST_CASE("parse_selected_fields: what parse_field_group gives for the selected names")
{
    const std::vector<std::string> cases = {
        "From: a@b\nTo: c@d\nSubject: hi\n",
        "\n\nSUBJECT: first\nsubject: second\n",
        "Received: from x\n\tby y\nFrom: a\n   folded\n\tmore\nDate : Thu\n",
        "X-Long: " + std::string(20000, 'x') + "\nSubject: " + std::string(20000, 'y') + "\n",
        "not a field\n continuation of nothing\nTo: t@e\n",
        "To: t@e\n   \nFrom: after the blank\n",
    };
    std::string many;
    for (std::size_t i = 0; i < k_max_fields + 5; ++i) {
        many += "X-" + std::to_string(i) + ": v\n";
    }
    std::vector<std::string> inputs = cases;
    inputs.push_back(many + "Subject: beyond the bound\n");
    inputs.push_back("Subject: within\n" + many);
    for (const std::string& text : texts()) {
        inputs.push_back(text);
        // The returned original's header, where the parser reads it.
        const std::size_t at = text.find("\nReceived:");
        if (at != std::string::npos) {
            inputs.push_back(text.substr(at + 1));
        }
    }
    for (const std::string& text : inputs) {
        CAPTURE(text.substr(0, 200));
        const std::vector<Field> all = parse_field_group(text);
        const std::vector<Field> some =
            parse_selected_fields(text, {"message-id", "from", "to", "subject", "date"});
        for (std::string_view name : {"message-id", "from", "to", "subject", "date"}) {
            REQUIRE(field_value(some, name) == field_value(all, name));
        }
    }
}

TEST_CASE("may_hold_recipient_fields: false only where parse_delivery_status adds nothing")
{
    const std::vector<std::pair<std::string, bool>> cases = {
        {"Final-Recipient: rfc822; a@b\n", true},
        {"hello\nACTION: failed\n", true},
        {"status: 5.1.1\n", true},
        {"Original-Recipient: rfc822;a@b\n", true},
        {"The status of your message: failed\n", false},
        {" Status: 5.1.1 (indented: a continuation, not a field)\n", false},
        {"Reporting-MTA: dns; x\n", false},
        {"", false},
    };
    for (const auto& [text, may] : cases) {
        CAPTURE(text);
        CHECK(may_hold_recipient_fields(text) == may);
    }
    std::size_t skipped = 0;
    for (const std::string& text : texts()) {
        if (!may_hold_recipient_fields(text)) {
            ++skipped;
            BounceReport report;
            REQUIRE(parse_delivery_status(text, report) == 0);
        }
    }
    CHECK(skipped > 0);
}

TEST_CASE("find_smtp_command and find_transcript_command: their lower-case-copy definitions")
{
    const std::vector<std::string> cases = {
        "host x said: 550 no (in reply to RCPT TO command)",
        "SMTP error from remote mail server after end of data: 550",
        "In Reply To:\nDATA",
        "failed after I sent the message",
        ">>> DATA\n<<< 554 rejected",
        "most progress was RCPT TO",
        "[RCPT_TO]",
        "nothing here",
        "",
    };
    std::vector<std::string> inputs = cases;
    for (const std::string& text : texts()) {
        inputs.push_back(text);
    }
    for (const std::string& text : inputs) {
        CAPTURE(text.substr(0, 200));
        REQUIRE(find_smtp_command(text) == slow_smtp_command(text));
        for (std::string_view who : {"user@example.com", "KIJITORA@example.jp", "x"}) {
            REQUIRE(find_transcript_command(text, who) == slow_transcript_command(text, who));
        }
        // A recipient the transcript names (the first address after "RCPT To:<").
        const std::size_t rcpt = lower_ascii(text).find("rcpt to:<");
        if (rcpt != std::string::npos) {
            const std::string who = text.substr(rcpt + 9, text.find('>', rcpt) - rcpt - 9);
            REQUIRE(find_transcript_command(text, who) == slow_transcript_command(text, who));
        }
    }
}

TEST_CASE("parse_delivery_status and parse_field_group: their former field-building definitions")
{
    std::string many;
    for (std::size_t i = 0; i < k_max_fields + 3; ++i) {
        many += "X-" + std::to_string(i) + ": v\n";
    }
    std::vector<std::string> inputs = {
        "Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@b.example\n"
        "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1\n  user unknown\n",
        "final-recipient: rfc822;a@b\nACTION : delayed (retry)\nStatus:4.4.1\n"
        "Final-Recipient: rfc822;c@d\nAction: failed\n",
        "Diagnostic-Code:\n  folded after an empty value\nFinal-Recipient: x@y\n",
        "\n\n\nOriginal-Recipient: rfc822;o@p\nOriginal-Recipient: rfc822;q@r\n",
        many + "Final-Recipient: rfc822; late@x\nAction: failed\n",
        "Final-Recipient: rfc822; a@b\r\nAction: failed\r\n\r\nFinal-Recipient: c@d\n",
        "Remote-MTA: dns; mx.example.net (192.0.2.1)\nX-Postfix-Sender: rfc822; s@x\n",
        "",
    };
    for (const std::string& text : texts()) {
        inputs.push_back(text);
    }
    for (const std::string& text : inputs) {
        CAPTURE(text.substr(0, 200));
        BounceReport fast;
        parse_delivery_status(text, fast);
        REQUIRE(describe(fast) == describe(slow_delivery_status(text)));
        std::size_t fast_used = 0;
        std::size_t slow_used = 0;
        const std::vector<Field> a = parse_field_group(text, &fast_used);
        const std::vector<Field> b = slow_field_group(text, &slow_used);
        REQUIRE(fast_used == slow_used);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            REQUIRE(a[i].name == b[i].name);
            REQUIRE(a[i].value == b[i].value);
        }
    }
}
