// Scanners for reply codes, enhanced status codes and named IPs (see reply_codes.hpp).
#include "monitor/ingest/bounce/reply_codes.hpp"

#include "monitor/ingest/bounce/header_fields.hpp"

#include <array>

namespace smtpprobe::ingest {

namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
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
            before == '+' || before == '=' || before == '_' ||
            std::isalpha(static_cast<unsigned char>(before))) {
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
    for (std::size_t pos = 0; pos + 3 <= text.size(); ++pos) {
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
    for (std::size_t pos = 0; pos + 9 <= text.size(); ++pos) {
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
    // Phrases that name the command, the last one wins (the reply that ended it); the first
    // phrase of this list that names one decides. One pass over the text finds every
    // occurrence of every phrase (a search per phrase made the function a hot spot).
    static constexpr std::array<std::string_view, 8> k_phrases = {
        "in reply to ",       "after ", "smtp command", ">>> ",
        "most progress was ", "smtp:",  "command:",     "while sending "};
    // Words that name the command without a phrase, by priority.
    static constexpr std::array<std::pair<std::string_view, const char*>, 5> k_words = {{
        {"[rcpt_to]", "RCPT"}, // Yahoo's tag after the reply
        {"recipient address rejected", "RCPT"},
        {"sender was rejected", "MAIL"},
        {"after i sent the message", "DATA"},
        {"failed after i sent", "DATA"},
    }};
    static const NeedleSet<k_phrases.size()> k_phrase_set(k_phrases);
    static const NeedleSet<k_words.size()> k_word_set([] {
        std::array<std::string_view, k_words.size()> words;
        for (std::size_t k = 0; k < k_words.size(); ++k) {
            words[k] = k_words[k].first;
        }
        return words;
    }());
    std::array<std::string, k_phrases.size()> found;
    std::array<bool, k_words.size()> has_word{};
    k_phrase_set.each(lower, [&](std::size_t k, std::size_t at) {
        std::string command = command_at(at + k_phrases[k].size());
        if (!command.empty()) {
            found[k] = std::move(command);
        }
    });
    k_word_set.each(lower, [&](std::size_t k, std::size_t) { has_word[k] = true; });
    for (const std::string& command : found) {
        if (!command.empty()) {
            return command;
        }
    }
    for (std::size_t k = 0; k < k_words.size(); ++k) {
        if (has_word[k]) {
            return k_words[k].second;
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
    for (std::size_t pos = 0; pos + 5 <= text.size(); ++pos) {
        const char c = text[pos];
        if ((c != '2' && c != '4' && c != '5') || text[pos + 1] != '.') {
            continue;
        }
        if (pos > 0 && (is_digit(text[pos - 1]) || text[pos - 1] == '.' ||
                        std::isalpha(static_cast<unsigned char>(text[pos - 1])))) {
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
            (is_digit(text[end]) || std::isalpha(static_cast<unsigned char>(text[end])) ||
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

} // namespace smtpprobe::ingest
