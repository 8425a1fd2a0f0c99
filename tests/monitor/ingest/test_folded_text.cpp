// The fast scanners of the bounce reader against their slow definitions, on hand-made cases
// and on every corpus message (as written and with the case of its letters scrambled):
// find_folded == lower_ascii(text).find, FoldedNeedleSet == one search per needle,
// find_char == string_view::find, find_line_before, is_plain_ascii and next_code_start ==
// their loops,
// parse_selected_fields == parse_field_group + field_value,
// may_hold_recipient_fields false => parse_delivery_status adds nothing, parse_delivery_status
// and parse_field_group == their former field-building versions, and
// find_smtp_command / find_transcript_command == their former lower-case-copy definitions.
#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/delivery_status.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"

#include <algorithm>
#include <array>
#include <doctest/doctest.h>
#include <filesystem>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace smtpprobe::ingest;

namespace {

// Every corpus message, and a copy of each with the case of its letters scrambled.
std::vector<std::string> corpus_texts()
{
    std::vector<std::string> out;
    const std::string dir = std::string(SMTPPROBE_CORPUS_DIR) + "/bounces";
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".eml") {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    std::mt19937 random(5);
    for (const std::string& file : files) {
        read_messages(file, [&](SourceMessage& m) {
            out.push_back(m.content);
            std::string scrambled = m.content;
            for (char& c : scrambled) {
                if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && random() % 2 == 0) {
                    c = static_cast<char>(c ^ 0x20);
                }
            }
            out.push_back(std::move(scrambled));
            return true;
        });
    }
    return out;
}

const std::vector<std::string>& texts()
{
    static const std::vector<std::string> all = corpus_texts();
    return all;
}

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
    for (std::string_view phrase : {"in reply to ", "after ", "smtp command", ">>> ",
                                    "most progress was ", "smtp:", "command:", "while sending "}) {
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
    const std::array<std::pair<std::string_view, const char*>, 5> words = {{
        {"[rcpt_to]", "RCPT"},
        {"recipient address rejected", "RCPT"},
        {"sender was rejected", "MAIL"},
        {"after i sent the message", "DATA"},
        {"failed after i sent", "DATA"},
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
                current.recipient = clean_address(strip_type(field.value));
                has_final = true;
            } else if (name == "original-recipient") {
                if (has_final && !current.original_recipient.empty()) {
                    flush();
                }
                current.original_recipient = clean_address(strip_type(field.value));
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

TEST_CASE("find_folded: the first match of lower_ascii(text).find, from any start")
{
    struct Case {
        std::string text;
        std::string needle;
    };
    const std::vector<Case> cases = {
        {"Remote HOST mx.example.org said", "host "},
        {"no match here", "host "},
        {"HoStHoSt host", "host"},
        {"a", "ab"},
        {"", "a"},
        {"x", ""},
        {"[RCPT_TO] and [rcpt_to]", "[rcpt_to]"},
        {std::string(40, 'a') + "Ab" + std::string(40, 'b'), "ab"},
        {std::string(33, 'x') + "MESSAGE", "message"},
        {"{ and [ differ", "[ d"},              // 0x20 folding must not merge '[' and '{'
        {"@ and ` differ: `x", "@x"},           // nor '@' and '`'
        {std::string(20, '\xc1') + "Ab", "ab"}, // bytes over 0x7f never match a letter
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        CAPTURE(c.needle);
        const std::string lower = lower_ascii(c.text);
        for (std::size_t from = 0; from <= c.text.size() + 1; ++from) {
            CHECK(find_folded(c.text, c.needle, from) ==
                  std::string_view(lower).find(c.needle, from));
        }
    }
    for (const std::string& text : texts()) {
        const std::string lower = lower_ascii(text);
        for (std::string_view needle : {"host ", "message", "mail", "lines", " by ",
                                        "boundary=", "rcpt to:", "will retry", "<<< ", "x"}) {
            std::size_t expected = std::string_view(lower).find(needle);
            std::size_t got = find_folded(text, needle);
            while (got == expected && got != std::string_view::npos) {
                expected = std::string_view(lower).find(needle, got + 1);
                got = find_folded(text, needle, got + 1);
            }
            REQUIRE(got == expected);
        }
    }
}

TEST_CASE("FoldedNeedleSet: every occurrence of every needle, in text order")
{
    static constexpr std::array<std::string_view, 6> k_needles = {"in reply to ", "after ",  ">>> ",
                                                                  "[rcpt_to]",    "message", "me"};
    static const FoldedNeedleSet<k_needles.size()> set(k_needles);
    auto slow = [](std::string_view text) {
        const std::string lower = lower_ascii(text);
        std::vector<std::pair<std::size_t, std::size_t>> out; // (at, k)
        for (std::size_t k = 0; k < k_needles.size(); ++k) {
            for (std::size_t at = lower.find(k_needles[k]); at != std::string::npos;
                 at = lower.find(k_needles[k], at + 1)) {
                out.emplace_back(at, k);
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    auto fast = [](std::string_view text) {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        set.each(text, [&](std::size_t k, std::size_t at) { out.emplace_back(at, k); });
        return out;
    };
    const std::vector<std::string> cases = {
        "",
        "m",
        "ME",
        "In Reply To end of DATA command",
        ">>> RCPT TO:<a@b>\n<<< 550 no",
        "{rcpt_to] [RCPT_TO]",
        std::string(15, ' ') + "MESSAGE" + std::string(15, ' ') + "me",
        "AFTER after AfTeR",
    };
    for (const std::string& text : cases) {
        CAPTURE(text);
        CHECK(fast(text) == slow(text));
    }
    for (const std::string& text : texts()) {
        const auto all = slow(text);
        REQUIRE(fast(text) == all);
        // find_first: the first occurrence at or after each start.
        for (std::size_t from = 0; from <= text.size(); from += 1 + text.size() / 64) {
            auto it =
                std::lower_bound(all.begin(), all.end(), std::make_pair(from, std::size_t{0}));
            REQUIRE(set.find_first(text, from) ==
                    (it == all.end() ? std::string_view::npos : it->first));
        }
    }
}

TEST_CASE("find_char: string_view::find for every start")
{
    std::mt19937 random(7);
    for (std::size_t size = 0; size < 70; ++size) {
        std::string text(size, 'a');
        for (char& c : text) {
            c = "ab\n\x80"[random() % 4];
        }
        for (std::size_t from = 0; from <= size + 1; ++from) {
            for (char c : {'\n', 'b', '\x80', 'z'}) {
                REQUIRE(find_char(text, c, from) == std::string_view(text).find(c, from));
            }
        }
    }
}

TEST_CASE("find_line_before, is_plain_ascii, contains_pair and next_code_start: their byte-by-byte "
          "definitions")
{
    auto slow_line_before = [](std::string_view text, std::size_t from, char a, char b) {
        for (std::size_t q = from; q + 1 < text.size(); ++q) {
            if (text[q] == '\n' && (text[q + 1] == a || text[q + 1] == b)) {
                return q;
            }
        }
        return std::string_view::npos;
    };
    auto slow_plain = [](std::string_view text) {
        return std::all_of(text.begin(), text.end(), [](char c) {
            return c != '\0' && static_cast<unsigned char>(c) < 0x80;
        });
    };
    std::mt19937 random(11);
    for (std::size_t size = 0; size < 70; ++size) {
        for (int round = 0; round < 20; ++round) {
            std::string text(size, 'a');
            for (char& c : text) {
                c = "aF>\n\n\x80\0x"[random() % 8];
            }
            for (std::size_t from = 0; from <= size + 1; ++from) {
                REQUIRE(find_line_before(text, from, 'F', '>') ==
                        slow_line_before(text, from, 'F', '>'));
            }
            REQUIRE(is_plain_ascii(text) == slow_plain(text));
            for (const auto& [a, b] :
                 {std::pair{'a', 'F'}, std::pair{'\n', '\n'}, std::pair{'F', '>'}}) {
                const char pair[2] = {a, b};
                REQUIRE(contains_pair(text, a, b) == (std::string_view(text).find(std::string_view(
                                                          pair, 2)) != std::string_view::npos));
            }
            for (std::size_t from = 0; from <= size; ++from) {
                for (bool status_only : {false, true}) {
                    std::size_t slow = from;
                    while (slow < size &&
                           !((text[slow] == '2' || text[slow] == '4' || text[slow] == '5') &&
                             (!status_only || (slow + 1 < size && text[slow + 1] == '.')))) {
                        ++slow;
                    }
                    std::string digits = text;
                    for (std::size_t i = 0; i < digits.size(); ++i) {
                        digits[i] = "2.45a"[(i * 7 + random()) % 5];
                    }
                    REQUIRE(next_code_start(text, from, status_only) == slow);
                    std::size_t slow_digits = from;
                    while (slow_digits < size &&
                           !((digits[slow_digits] == '2' || digits[slow_digits] == '4' ||
                              digits[slow_digits] == '5') &&
                             (!status_only ||
                              (slow_digits + 1 < size && digits[slow_digits + 1] == '.')))) {
                        ++slow_digits;
                    }
                    REQUIRE(next_code_start(digits, from, status_only) == slow_digits);
                }
            }
            std::string plain = text;
            std::replace(plain.begin(), plain.end(), '\0', 'z');
            std::replace(plain.begin(), plain.end(), '\x80', 'y');
            REQUIRE(is_plain_ascii(plain));
        }
    }
    for (const std::string& text : texts()) {
        REQUIRE(is_plain_ascii(text) == slow_plain(text));
        REQUIRE(find_line_before(text, 0, 'F', '>') == slow_line_before(text, 0, 'F', '>'));
    }
}

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
