// Heuristic reading of plain-text bounce reports (see text_report.hpp).
#include "monitor/ingest/bounce/text_report.hpp"

#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"

#include <algorithm>
#include <array>

namespace smtpprobe::ingest {

namespace {

constexpr std::size_t k_max_diagnostic = 2000;
constexpr std::size_t k_max_recipients = 1000;

// ASCII letters and digits: what std::isalnum gives in the "C" locale the program runs in,
// without a library call per byte.
constexpr bool is_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Bytes of an address's local part and of a domain, as 256-entry tables (one load per byte).
constexpr std::array<bool, 256> k_local_chars = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) {
        table[static_cast<std::size_t>(c)] = is_ascii_alnum(static_cast<char>(c));
    }
    for (char c : std::string_view("._%+-=/!#$&'*?^`{|}~")) {
        table[static_cast<unsigned char>(c)] = true;
    }
    return table;
}();

constexpr std::array<bool, 256> k_domain_chars = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) {
        table[static_cast<std::size_t>(c)] =
            is_ascii_alnum(static_cast<char>(c)) || c == '.' || c == '-';
    }
    return table;
}();

bool is_local_char(char c)
{
    return k_local_chars[static_cast<unsigned char>(c)];
}

bool is_domain_char(char c)
{
    return k_domain_chars[static_cast<unsigned char>(c)];
}

// Finds the first address in text at or after from; returns [begin, end) or npos.
std::pair<std::size_t, std::size_t> locate_address(std::string_view text, std::size_t from = 0)
{
    for (std::size_t at = find_char(text, '@', from); at != std::string_view::npos;
         at = find_char(text, '@', at + 1)) {
        std::size_t b = at;
        while (b > 0 && is_local_char(text[b - 1])) {
            --b;
        }
        std::size_t e = at + 1;
        while (e < text.size() && is_domain_char(text[e])) {
            ++e;
        }
        while (e > at + 1 && (text[e - 1] == '.' || text[e - 1] == '-')) {
            --e;
        }
        while (b < at && (text[b] == '.' || text[b] == '\'')) {
            ++b;
        }
        const std::string_view domain = text.substr(at + 1, e - at - 1);
        if (b < at && domain.find('.') != std::string_view::npos && at - b <= 64) {
            return {b, e};
        }
    }
    return {std::string_view::npos, std::string_view::npos};
}

std::string lower_address(std::string_view address)
{
    return lower_ascii(address);
}

struct Anchor {
    std::size_t line = 0; // line index
    std::string address;  // lower case
    std::string rest;     // text after the address on the anchor line
};

// Strips what may precede an address that opens a recipient line.
std::string_view strip_lead(std::string_view line)
{
    line = trim(line);
    while (!line.empty() && (line.front() == '*' || line.front() == '-' || line.front() == '>' ||
                             line.front() == '"' || line.front() == '\'' || line.front() == '(')) {
        line.remove_prefix(1);
        line = trim(line);
    }
    return line;
}

// Whether the words after an address at the start of a line go on with a sentence (help text
// wrapped so that an address starts a line: "postmaster@example.org if you need help."): a
// lower-case connecting word, not a reason or a code.
bool continues_sentence(std::string_view rest)
{
    for (std::string_view word : {"and ", "or ", "if ", "for ", "to ", "with ", "is ", "will ",
                                  "can ", "who ", "which ", "should ", "are "}) {
        if (rest.starts_with(word)) {
            return true;
        }
    }
    return false;
}

// Whether a line names a recipient; fills address and rest when it does.
bool anchor_of(std::string_view raw, Anchor& anchor)
{
    std::string_view line = strip_lead(raw);
    if (line.empty() || line.size() > 400) {
        return false;
    }
    auto [b, e] = locate_address(line);
    if (b == std::string_view::npos) {
        return false; // most lines: decided here
    }
    std::size_t open = b;
    if (open > 0 && line[open - 1] == '<') {
        --open;
    }
    // "RCPT TO:<a@b>" anywhere on the line (Exim "after RCPT TO:<a@b>:", transcripts).
    const std::size_t rcpt = find_folded(line, "rcpt to:");
    if (rcpt != std::string_view::npos && rcpt < b) {
        anchor.address = lower_address(line.substr(b, e - b));
        std::size_t after = line.find_first_not_of(">: ", e);
        anchor.rest =
            after == std::string_view::npos ? std::string() : std::string(line.substr(after));
        return true;
    }
    // "554 <a@b>... Remote protocol error" (sendmail transcripts): code, then the address.
    if (open > 0 && open <= 10 && find_reply_code(line.substr(0, 4)) &&
        trim(line.substr(3, open - 3)).find_first_not_of("0123456789.") == std::string_view::npos) {
        anchor.address = lower_address(line.substr(b, e - b));
        anchor.rest = std::string(line);
        return true;
    }
    if (open == 0) {
        anchor.address = lower_address(line.substr(b, e - b));
        std::size_t after = line.find_first_not_of(">:.;, ", e);
        std::string_view rest =
            after == std::string_view::npos ? std::string_view() : line.substr(after);
        if (continues_sentence(rest)) {
            return false; // "helpdesk@example.org and quote the lines above.": help text
        }
        // "a@b on Thu, 29 Apr 2010": the date is not the receiver's words.
        if (rest.starts_with("on ") || rest.starts_with("On ")) {
            rest = {};
        }
        anchor.rest = std::string(rest);
        return true;
    }
    // "There was an error delivering your mail to <a@b>." (DragonFly), "Your message to <a@b>
    // could not be delivered": an address in angle brackets after "to", in a sentence about
    // delivering the mail.
    if (open < b && line.substr(0, open).ends_with(" to ") &&
        (find_folded(line.substr(0, open), "deliver") != std::string_view::npos ||
         find_folded(line.substr(0, open), "message") != std::string_view::npos ||
         find_folded(line.substr(0, open), "mail") != std::string_view::npos)) {
        anchor.address = lower_address(line.substr(b, e - b));
        anchor.rest.clear();
        return true;
    }
    // "Recipient: a@b", "Failed address: a@b", "Original-Recipient: rfc822;a@b".
    const std::size_t colon = find_char(line, ':');
    if (colon != std::string_view::npos && colon < open && colon < 40) {
        const std::string_view label = line.substr(0, colon);
        auto names = [&](std::string_view word) {
            return find_folded(label, word) != std::string_view::npos;
        };
        const bool names_recipient =
            names("recipient") || names("address") || names("user") || names("mailbox") ||
            names("rcpt") ||
            (label.size() >= 3 && starts_with_folded(label.substr(label.size() - 3), " to"));
        const bool names_sender = names("from") || names("sender") || names("return");
        std::string_view between = trim(line.substr(colon + 1, open - colon - 1));
        if (names_recipient && !names_sender && (between.empty() || between.ends_with(";"))) {
            anchor.address = lower_address(line.substr(b, e - b));
            std::size_t after = line.find_first_not_of(">:.;, ", e);
            anchor.rest =
                after == std::string_view::npos ? std::string() : std::string(line.substr(after));
            return true;
        }
    }
    return false;
}

// Collapses runs of whitespace (newlines included) into one space.
std::string collapse(std::string_view text)
{
    std::string out;
    out.reserve(std::min(text.size(), k_max_diagnostic));
    bool space = false;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        if (out.size() >= k_max_diagnostic) {
            break;
        }
        out += c;
    }
    return out;
}

// The host written at start of text ("mx.example.org", "[192.0.2.1]"), "" when what is there
// is not a host name (no dot, too short).
std::string host_at(std::string_view text, std::size_t start)
{
    std::size_t end = start;
    while (end < text.size() && (is_domain_char(text[end]) || text[end] == '[' ||
                                 text[end] == ']' || text[end] == ':')) {
        ++end;
    }
    std::string host = std::string(text.substr(start, end - start));
    while (!host.empty() && (host.back() == '.' || host.back() == ':' || host.back() == ']')) {
        host.pop_back();
    }
    if (!host.empty() && host.front() == '[') {
        host.erase(0, 1);
    }
    return host.find('.') != std::string::npos && host.size() > 3 ? host : std::string();
}

// The host a report names as the receiver: "remote host X" first, then "host X", then
// "server for the recipient domain D by X". Every "remote host " holds a "host ": one search
// for "host " serves both (the occurrences kept, up to a bound; beyond it, a search each).
std::string find_remote_host(std::string_view text)
{
    constexpr std::size_t k_max_kept = 32;
    std::array<std::size_t, k_max_kept> hosts{}; // where each "host " starts
    std::size_t count = 0;
    bool all_kept = true;
    for (std::size_t at = find_folded(text, "host "); at != std::string_view::npos;
         at = find_folded(text, "host ", at + 1)) {
        if (count == k_max_kept) {
            all_kept = false;
            break;
        }
        hosts[count++] = at;
    }
    auto remote = [&](std::size_t at) {
        return at >= 7 && starts_with_folded(text.substr(at - 7), "remote ");
    };
    if (all_kept) {
        for (std::size_t i = 0; i < count; ++i) {
            if (remote(hosts[i])) {
                if (std::string host = host_at(text, hosts[i] + 5); !host.empty()) {
                    return host;
                }
            }
        }
        for (std::size_t i = 0; i < count; ++i) {
            if (std::string host = host_at(text, hosts[i] + 5); !host.empty()) {
                return host;
            }
        }
    } else {
        for (const std::string_view marker :
             {std::string_view("remote host "), std::string_view("host ")}) {
            for (std::size_t at = find_folded(text, marker); at != std::string_view::npos;
                 at = find_folded(text, marker, at + 1)) {
                if (std::string host = host_at(text, at + marker.size()); !host.empty()) {
                    return host;
                }
            }
        }
    }
    constexpr std::string_view k_server = "server for the recipient domain ";
    for (std::size_t at = find_folded(text, k_server); at != std::string_view::npos;
         at = find_folded(text, k_server, at + 1)) {
        const std::size_t start = at + k_server.size();
        const std::size_t by = find_folded(text, " by ", start);
        if (by == std::string_view::npos || by > start + 120) {
            break;
        }
        if (std::string host = host_at(text, by + 4); !host.empty()) {
            return host;
        }
    }
    return {};
}

} // namespace

std::string first_address(std::string_view text)
{
    auto [b, e] = locate_address(text);
    return b == std::string_view::npos ? std::string() : std::string(text.substr(b, e - b));
}

namespace {

// Whether line is sendmail's verdict on another address or host ("550 example.org (smtp)...
// 550 Host unknown", "554 <other@x>... Remote protocol error"): the words of the recipient
// being read end there, so that one recipient's block does not take the next one's reply.
bool ends_sendmail_block(std::string_view line, std::string_view address)
{
    if (line.size() < 8 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
        line[2] < '0' || line[2] > '9' || line[3] != ' ') {
        return false;
    }
    const std::size_t dots = line.find("... ");
    if (dots == std::string_view::npos || dots > 200) {
        return false;
    }
    return lower_ascii(line.substr(0, dots)).find(lower_ascii(address)) == std::string::npos;
}

} // namespace

namespace {

// Whether line opens the closing paragraph of an MTA's template (what follows the recipients:
// advice to the sender, the announcement of the returned copy), which is never the receiver's
// words: Exim's "No action is required on your part", Postfix's "For further assistance",
// OpenSMTPD's "Please note that this is only a temporary failure report".
bool starts_template_tail(std::string_view line)
{
    for (std::string_view lower :
         {"no action is required on your part", "for further assistance, please",
          "if you do so, please include this problem report",
          "please note that this is only a temporary failure report",
          "below is a copy of the original message", "if you need assistance, please",
          "the message identifier is:", "------ this is a copy of the message"}) {
        if (starts_with_folded(line, lower)) {
            return true;
        }
    }
    return false;
}

bool has_letters(std::string_view text)
{
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// The reason a report wrote before the recipient's address: the text before it on its own
// line, else the nearest line above (within three, not a decoration or blank). "" if none.
std::string words_before(const std::vector<std::string_view>& lines, std::size_t line,
                         std::string_view address)
{
    const std::string_view own = lines[line];
    const std::size_t at = lower_ascii(own).find(lower_ascii(address));
    if (at != std::string::npos) {
        std::string_view prefix = trim(own.substr(0, at));
        while (!prefix.empty() && (prefix.back() == '<' || prefix.back() == ':' ||
                                   prefix.back() == ' ' || prefix.back() == '"')) {
            prefix.remove_suffix(1);
        }
        if (has_letters(prefix)) {
            return std::string(prefix);
        }
    }
    for (std::size_t k = line, steps = 0; k-- > 0 && steps < 3; ++steps) {
        const std::string_view above = trim(lines[k]);
        if (above.empty()) {
            continue;
        }
        if (above.front() == '-' || above.front() == '=' || above.front() == '*' ||
            above.front() == '_' || above.find('@') != std::string_view::npos) {
            return {};
        }
        if (!has_letters(above)) {
            return {};
        }
        if (above.back() != ':') {
            return std::string(above);
        }
        // A list heading ("The following recipients did not receive this message:"): the
        // reason is the paragraph above it.
        std::string paragraph(above);
        bool seen_text = false;
        for (std::size_t m = k, more = 0; m-- > 0 && more < 6; ++more) {
            const std::string_view earlier = trim(lines[m]);
            if (earlier.empty()) {
                if (seen_text) {
                    break;
                }
                continue;
            }
            if (earlier.front() == '-' || earlier.front() == '=' ||
                earlier.find('@') != std::string_view::npos) {
                break;
            }
            seen_text = true;
            paragraph = std::string(earlier) + "\n" + paragraph;
        }
        return paragraph;
    }
    return {};
}

} // namespace

std::vector<RecipientReport> parse_text_report(std::string_view text,
                                               const std::vector<std::string>& not_recipients,
                                               ReportFormat format)
{
    thread_local std::vector<std::string_view> reused_lines; // no allocation per message
    split_lines(text, reused_lines);
    const std::vector<std::string_view>& lines = reused_lines;
    std::vector<Anchor> anchors;
    for (std::size_t i = 0; i < lines.size() && anchors.size() < k_max_recipients; ++i) {
        Anchor anchor;
        if (format == ReportFormat::postfix && !lines[i].empty() &&
            (lines[i][0] == ' ' || lines[i][0] == '\t')) {
            continue; // a wrapped line of the receiver's words (bounce(8) indents them)
        }
        if (!anchor_of(lines[i], anchor)) {
            continue;
        }
        if (std::find(not_recipients.begin(), not_recipients.end(), anchor.address) !=
            not_recipients.end()) {
            continue;
        }
        anchor.line = i;
        anchors.push_back(std::move(anchor));
    }
    std::vector<RecipientReport> out;
    auto block_text = [&](std::size_t first, std::size_t last, const std::string& rest,
                          std::string_view address = {}) {
        std::string block = rest;
        for (std::size_t i = first; i < last && block.size() < k_max_diagnostic * 2; ++i) {
            if (!address.empty() && (ends_sendmail_block(trim(lines[i]), address) ||
                                     starts_template_tail(trim(lines[i])))) {
                break;
            }
            if (!block.empty()) {
                block += '\n';
            }
            block += trim(lines[i]);
        }
        return block;
    };
    auto make = [&](const std::string& address, const std::string& block) {
        RecipientReport r;
        r.recipient = address;
        const std::string_view trimmed = trim(block); // a view: no copy of the block
        r.reply_code = find_reply_code(trimmed);
        r.status = find_enhanced_status(trimmed);
        r.remote_mta = find_remote_host(trimmed);
        r.diagnostic = collapse(trimmed);
        // From the words on one line: a report wraps "(in reply to RCPT TO command)" anywhere.
        r.command = find_smtp_command(r.diagnostic);
        return r; // the action is the report's (implied_action)
    };
    if (anchors.empty()) {
        const std::string block = block_text(0, lines.size(), "");
        if (find_reply_code(block) || !find_enhanced_status(block).empty()) {
            out.push_back(make("", block));
        }
        return out;
    }
    // Consecutive anchors for the same address form one block (Exim repeats it after
    // "RCPT TO:"); two addresses listed one after the other share the words that follow.
    std::size_t i = 0;
    while (i < anchors.size()) {
        std::size_t j = i + 1;
        while (j < anchors.size() && anchors[j].address == anchors[i].address) {
            ++j;
        }
        const std::size_t end_line = j < anchors.size() ? anchors[j].line : lines.size();
        std::string block =
            block_text(anchors[i].line + 1, end_line, anchors[i].rest, anchors[i].address);
        // sendmail's verdict line ("554 <a@b>... Remote protocol error") comes after the
        // session that produced it: the receiver's "<<< " reply just above is its cause.
        const std::string_view anchor_line = trim(lines[anchors[i].line]);
        if (anchors[i].line > 0 && ends_sendmail_block(anchor_line, "\x01")) {
            std::string session;
            for (std::size_t k = anchors[i].line; k-- > 0;) {
                const std::string_view above = trim(lines[k]);
                if (!above.starts_with("<<< ") && !above.starts_with(">>> ")) {
                    break;
                }
                session = std::string(above) + "\n" + session;
                if (above.starts_with(">>> ") || session.size() > k_max_diagnostic) {
                    break;
                }
            }
            if (!session.empty()) {
                block = session + block;
            }
        }
        RecipientReport r = make(anchors[i].address, block);
        // The words came before the address ("Error message below: 550 ...\n... RCPT TO: a@b").
        // Only their codes decide: the rest of the entry is read when they are taken.
        if (!r.reply_code && r.status.empty() && anchors.size() == 1) {
            const std::string preamble = block_text(0, anchors[0].line, "");
            const std::string_view words = trim(preamble);
            if (find_reply_code(words) || !find_enhanced_status(words).empty()) {
                r = make(anchors[i].address, preamble);
            }
        }
        if (trim(r.diagnostic).empty()) {
            // Words before the address: "Unknown user: a@b", or a reason line just above it
            // ("User not listed in public Name & Address Book\na@b").
            const std::string before = words_before(lines, anchors[i].line, anchors[i].address);
            if (!before.empty()) {
                r = make(anchors[i].address, before);
            }
        }
        out.push_back(std::move(r));
        i = j;
    }
    // Addresses listed together ("a@b\nc@d\n\n550 ...") get the words of the last one.
    for (std::size_t k = out.size(); k-- > 1;) {
        if (out[k - 1].diagnostic.empty()) {
            const std::string address = out[k - 1].recipient;
            out[k - 1] = out[k];
            out[k - 1].recipient = address;
        }
    }
    // The same address announced twice in separate places: keep the first with words.
    std::vector<RecipientReport> unique;
    for (RecipientReport& r : out) {
        auto it = std::find_if(unique.begin(), unique.end(), [&](const RecipientReport& u) {
            return u.recipient == r.recipient;
        });
        if (it == unique.end()) {
            unique.push_back(std::move(r));
        } else if (it->diagnostic.empty() || (!it->reply_code && r.reply_code)) {
            *it = std::move(r);
        }
    }
    return unique;
}

} // namespace smtpprobe::ingest
