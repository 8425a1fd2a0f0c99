// Scanners for reply codes, enhanced status codes and named IPs (see reply_codes.hpp).
#include "monitor/ingest/bounce/reply_codes.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"

#include <array>

namespace smtpprobe::ingest {

namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// std::isalpha in the "C" locale the program runs in, without a library call.
bool is_ascii_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A 3-digit reply code at pos, not part of a longer number, IP or decimal.
bool reply_code_at(std::string_view text, std::size_t pos)
{
    if (pos + 3 > text.size()) {
        return false;
    }
    const char a = text[pos];
    if ((a != '2' && a != '4' && a != '5') || !is_digit(text[pos + 1]) ||
        !is_digit(text[pos + 2])) {
        return false;
    }
    if (pos > 0) {
        const char before = text[pos - 1];
        if (is_digit(before) || before == '.' || before == '-' || before == '/' || before == '#' ||
            before == '+' || before == '=' || before == '_' || is_ascii_alpha(before)) {
            return false;
        }
    }
    if (pos + 3 < text.size()) {
        const char after = text[pos + 3];
        if (!(after == ' ' || after == '-' || after == ':' || after == '\n' || after == '\t' ||
              after == ',' || after == ')' || after == '\'' || after == '"' || after == ']' ||
              (after == '.' && (pos + 4 >= text.size() || !is_digit(text[pos + 4]))))) {
            return false;
        }
        // "550-5.7.1" fine; "2010-04-29" (a date) is not a reply.
        if (after == '-' && pos + 4 < text.size() && is_digit(text[pos + 4]) &&
            (pos + 5 >= text.size() || text[pos + 5] != '.')) {
            return false;
        }
    }
    return true;
}

int code_value(std::string_view text, std::size_t pos)
{
    return (text[pos] - '0') * 100 + (text[pos + 1] - '0') * 10 + (text[pos + 2] - '0');
}

} // namespace

std::optional<int> find_reply_code(std::string_view text)
{
    // Preferred: at the start, at a line start, or right after a phrase that introduces
    // the receiver's reply.
    std::optional<int> anywhere;
    // Only bytes that can open a code are looked at (found sixteen bytes at a time).
    for (std::size_t pos = next_code_start(text, 0, false); pos + 3 <= text.size();
         pos = next_code_start(text, pos + 1, false)) {
        if ((text[pos] != '2' && text[pos] != '4' && text[pos] != '5') ||
            !reply_code_at(text, pos)) {
            continue;
        }
        std::size_t back = pos;
        while (back > 0 &&
               (text[back - 1] == ' ' || text[back - 1] == '\t' || text[back - 1] == '\'' ||
                text[back - 1] == '"' || text[back - 1] == '(' || text[back - 1] == '[' ||
                text[back - 1] == '<')) {
            --back;
        }
        if (pos + 3 < text.size() && text[pos + 3] == ':' &&
            !(back == 0 || text[back - 1] == '\n')) {
            continue;
        }
        const bool introduced = back == 0 || text[back - 1] == '\n' || text[back - 1] == ':' ||
                                text[back - 1] == ';' ||
                                (back >= 4 && lower_ascii(text.substr(back - 4, 4)) == "said") ||
                                (back >= 8 && lower_ascii(text.substr(back - 8, 8)) == "returned");
        if (introduced) {
            return code_value(text, pos);
        }
        if (!anywhere) {
            anywhere = code_value(text, pos);
        }
    }
    return anywhere;
}

std::optional<ReplyPair> find_last_reply_pair(std::string_view text)
{
    std::optional<ReplyPair> last_failure;
    std::optional<ReplyPair> last_any;
    for (std::size_t pos = next_code_start(text, 0, false); pos + 9 <= text.size();
         pos = next_code_start(text, pos + 1, false)) {
        if ((text[pos] != '2' && text[pos] != '4' && text[pos] != '5') ||
            !reply_code_at(text, pos)) {
            continue;
        }
        std::size_t at = pos + 3;
        if (at < text.size() && (text[at] == ' ' || text[at] == '-')) {
            ++at;
        } else {
            continue;
        }
        while (at < text.size() && (text[at] == '\'' || text[at] == '"' || text[at] == ' ') &&
               at < pos + 8) {
            ++at;
        }
        const std::string status = find_enhanced_status(text.substr(at, 12));
        if (status.empty() || !text.substr(at).starts_with(status) || status[0] != text[pos]) {
            continue;
        }
        ReplyPair pair{code_value(text, pos), status};
        if (text[pos] != '2') {
            last_failure = pair;
        }
        last_any = pair;
    }
    return last_failure ? last_failure : last_any;
}

std::string find_smtp_command(std::string_view text)
{
    // Read ignoring case, without a lower-case copy (this runs several times per message).
    text = text.substr(0, 8000);
    auto command_at = [&](std::size_t at) -> const char* {
        std::string_view rest = text.substr(at);
        while (!rest.empty() &&
               (rest.front() == ' ' || rest.front() == '\n' || rest.front() == ':')) {
            rest.remove_prefix(1);
        }
        if (starts_with_folded(rest, "end of data") || starts_with_folded(rest, "data") ||
            starts_with_folded(rest, "end of message") ||
            starts_with_folded(rest, "message body")) {
            return "DATA";
        }
        if (starts_with_folded(rest, "rcpt")) {
            return "RCPT";
        }
        if (starts_with_folded(rest, "mail")) {
            return "MAIL";
        }
        if (starts_with_folded(rest, "helo") || starts_with_folded(rest, "ehlo")) {
            return "HELO";
        }
        if (starts_with_folded(rest, "initial connection") || starts_with_folded(rest, "connect") ||
            starts_with_folded(rest, "greeting") || starts_with_folded(rest, "banner")) {
            return "CONNECT";
        }
        return nullptr;
    };
    // Phrases that name the command (the first k_phrase_count needles), the last occurrence
    // wins (the reply that ended it); the first phrase of the list that names one decides.
    // Then words that name the command without a phrase (the rest), by priority. One pass over
    // the text finds every occurrence of every needle.
    constexpr std::size_t k_phrase_count = 11;
    static constexpr std::array<std::string_view, 24> k_needles = {
        "in reply to ", "after ", "smtp command", ">>> ", "most progress was ",
        "smtp:", "command:", "while sending ",
        "did not like our final ",       // DragonFly: "did not like our final DATA:"
        "did not like our ",             // DragonFly: "did not like our RCPT TO:"
        "error from remote server for ", // GMX: "... for RCPT TO command"
        // Words that name the command alone (after the phrases), by priority:
        "[rcpt_to]", // Yahoo's tag after the reply
        "recipient address rejected",
        "does not like recipient",      // qmail-remote
        "sender was rejected",          // qmail-remote: "Connected to X but sender was rejected"
        "server response to mail from", // IMail
        "after i sent the message",     // qmail-remote
        "failed after i sent",
        "failed on data command",   // qmail-remote
        "but my name was rejected", // qmail-remote: the HELO
        "but greeting failed",      // qmail-remote: the banner
        "refused to talk to me",    // Postfix: a 4xx/5xx banner
        "initial server greeting",  // Postfix: "... while receiving the initial server greeting"
        "unexpected connection response"}; // IMail
    static constexpr std::array<const char*, 13> k_word_commands = {
        "RCPT", "RCPT", "RCPT",    "MAIL",    "MAIL",    "DATA",   "DATA",
        "DATA", "HELO", "CONNECT", "CONNECT", "CONNECT", "CONNECT"};
    static const FoldedNeedleSet<k_needles.size()> k_set(k_needles);
    std::array<const char*, k_phrase_count> found{};
    std::array<bool, k_needles.size() - k_phrase_count> has_word{};
    k_set.each(text, [&](std::size_t k, std::size_t at) {
        if (k >= k_phrase_count) {
            has_word[k - k_phrase_count] = true;
        } else if (const char* command = command_at(at + k_needles[k].size())) {
            found[k] = command;
        }
    });
    for (const char* command : found) {
        if (command != nullptr) {
            return command;
        }
    }
    for (std::size_t k = 0; k < has_word.size(); ++k) {
        if (has_word[k]) {
            return k_word_commands[k];
        }
    }
    return {};
}

bool is_enhanced_status(std::string_view status)
{
    if (status.size() < 5 || (status[0] != '2' && status[0] != '4' && status[0] != '5') ||
        status[1] != '.') {
        return false;
    }
    std::size_t pos = 2;
    std::size_t digits = 0;
    while (pos < status.size() && is_digit(status[pos])) {
        ++pos;
        ++digits;
    }
    if (digits == 0 || digits > 3 || pos >= status.size() || status[pos] != '.') {
        return false;
    }
    ++pos;
    digits = 0;
    while (pos < status.size() && is_digit(status[pos])) {
        ++pos;
        ++digits;
    }
    return digits > 0 && digits <= 3 && pos == status.size();
}

std::string find_enhanced_status(std::string_view text)
{
    for (std::size_t pos = next_code_start(text, 0, true); pos + 5 <= text.size();
         pos = next_code_start(text, pos + 1, true)) {
        const char c = text[pos];
        if ((c != '2' && c != '4' && c != '5') || text[pos + 1] != '.') {
            continue;
        }
        if (pos > 0 &&
            (is_digit(text[pos - 1]) || text[pos - 1] == '.' || is_ascii_alpha(text[pos - 1]))) {
            continue;
        }
        std::size_t end = pos + 2;
        std::size_t d1 = 0;
        while (end < text.size() && is_digit(text[end]) && d1 < 4) {
            ++end;
            ++d1;
        }
        if (d1 == 0 || d1 > 3 || end >= text.size() || text[end] != '.') {
            continue;
        }
        ++end;
        std::size_t d2 = 0;
        while (end < text.size() && is_digit(text[end]) && d2 < 4) {
            ++end;
            ++d2;
        }
        if (d2 == 0 || d2 > 3) {
            continue;
        }
        // Not the start of an IP or a version: "5.1.1.1", "2.0.0a".
        if (end < text.size() &&
            (is_digit(text[end]) || is_ascii_alpha(text[end]) ||
             (text[end] == '.' && end + 1 < text.size() && is_digit(text[end + 1])))) {
            continue;
        }
        return std::string(text.substr(pos, end - pos));
    }
    return {};
}

std::string find_named_ip(std::string_view text)
{
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        if (!is_digit(text[pos]) ||
            (pos > 0 && (is_digit(text[pos - 1]) || text[pos - 1] == '.'))) {
            continue;
        }
        std::size_t end = pos;
        int dots = 0;
        int run = 0;
        bool ok = true;
        while (end < text.size() && (is_digit(text[end]) || text[end] == '.')) {
            if (text[end] == '.') {
                ok = ok && run > 0 && run <= 3;
                ++dots;
                run = 0;
            } else {
                ++run;
            }
            ++end;
        }
        ok = ok && dots == 3 && run > 0 && run <= 3;
        // Every octet at most 255.
        for (std::size_t q = pos; ok && q < end;) {
            int value = 0;
            while (q < end && text[q] != '.') {
                value = value * 10 + (text[q] - '0');
                ++q;
            }
            ok = value <= 255;
            ++q;
        }
        if (!ok) {
            pos = end;
            continue;
        }
        const std::string lead =
            lower_ascii(text.substr(pos >= 6 ? pos - 6 : 0, pos >= 6 ? 6 : pos));
        const std::string wider =
            lower_ascii(text.substr(pos >= 10 ? pos - 10 : 0, pos >= 10 ? 10 : pos));
        if (lead.find("from ") != std::string::npos || wider.find("client") != std::string::npos ||
            wider.find("sender") != std::string::npos ||
            wider.find("your ip") != std::string::npos || lead.find("ip ") != std::string::npos ||
            lead.find("ip: ") != std::string::npos || lead.find("ip=") != std::string::npos) {
            return std::string(text.substr(pos, end - pos));
        }
        pos = end;
    }
    return {};
}

} // namespace smtpprobe::ingest

namespace smtpprobe::ingest {

std::string find_transcript_command(std::string_view text, std::string_view recipient)
{
    if (recipient.empty()) {
        return {};
    }
    text = text.substr(0, 16000);
    // Only a "<<< " reply line can decide: most reports have none (one memmem, no copy).
    if (find_text(text, "<<< ") == std::string_view::npos) {
        return {};
    }
    const std::string who = lower_ascii(recipient);
    // What our side last sent: a command, "RCPT" for another recipient (other_rcpt), or none.
    const char* last_sent = nullptr;
    bool other_rcpt = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = find_char(text, '\n', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        if (line.starts_with(">>> ")) {
            const std::string_view sent = line.substr(4);
            other_rcpt = false;
            if (starts_with_folded(sent, "rcpt")) {
                last_sent = "RCPT";
                other_rcpt = find_folded(sent, who) == std::string_view::npos;
            } else if (starts_with_folded(sent, "data") || sent.starts_with(".")) {
                last_sent = "DATA";
            } else if (starts_with_folded(sent, "mail")) {
                last_sent = "MAIL";
            } else if (starts_with_folded(sent, "helo") || starts_with_folded(sent, "ehlo")) {
                last_sent = "HELO";
            } else {
                last_sent = nullptr;
            }
            continue;
        }
        if (line.starts_with("<<< ") && line.size() > 4 && (line[4] == '4' || line[4] == '5')) {
            if (last_sent != nullptr && !other_rcpt && std::string_view(last_sent) == "RCPT") {
                return last_sent;
            }
            if (last_sent != nullptr && !other_rcpt &&
                find_folded(line, who) != std::string_view::npos) {
                return last_sent;
            }
        }
    }
    return {};
}

} // namespace smtpprobe::ingest
