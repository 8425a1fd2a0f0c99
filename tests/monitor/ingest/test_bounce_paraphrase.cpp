// Leave-one-out by paraphrase (issue 16): the rules for each report format must not depend on a
// sample's exact text. Every labelled corpus message is rewritten several times, and each
// rewrite must read as the original does (same recipients, statuses and reasons):
//   - addresses: every local part and every domain that is not a known provider's replaced,
//     consistently through the message (headers, prose, delivery-status fields, the copy);
//   - hosts: every host name that is not a known provider's replaced the same way;
//   - IPs: every IPv4 address (but loopback) replaced;
//   - wording: each Diagnostic-Code's free text in another case (as written, lower, upper),
//     folded at another width, with neutral phrases reworded ("Please visit" -> "Please see"),
//     synonyms swapped either way at random ("does not"/"doesn't", "cannot"/"can not",
//     "email"/"e-mail", "rejected"/"refused", "unavailable"/"not available", "Sorry, " and
//     "Please " dropped ...) and durations changed ("in 840 minutes" -> "in 17 minutes").
// The seed is printed (SMTPPROBE_TEST_SEED sets it); a failure lists the format, the file, the
// rewrite and what changed. Known providers keep their names: the receiver is evidence.
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/report_format.hpp"
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace smtpprobe;

namespace {

bool is_local_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._%+-=").find(c) != std::string_view::npos;
}

bool is_host_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

std::string lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
    return out;
}

std::string upper(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    }
    return out;
}

// Role names a rewrite keeps (they are what a report writes, not a person).
bool is_role(std::string_view local)
{
    const std::string l = lower(local);
    return l == "postmaster" || l == "mailer-daemon" || l == "root" || l == "abuse" ||
           l == "noreply" || l == "no-reply" || l == "owner";
}

// Whether a domain or host name belongs to a known receiver (its name is evidence) or is one
// of the names reports and rules cite (documentation hosts, list sites).
bool keep_host(std::string_view host)
{
    const std::string h = lower(host);
    if (classify::receiver_for_host(h).provider != "other") {
        return true;
    }
    for (std::string_view suffix : {"spamhaus.org",
                                    "spamcop.net",
                                    "barracudacentral.org",
                                    "barracudacentral.com",
                                    "sorbs.net",
                                    "senderscore.org",
                                    "google.com",
                                    "googlegroups.com",
                                    "yahooinc.com",
                                    "microsoft.com",
                                    "office.com",
                                    "live.com",
                                    "apple.com",
                                    "proofpoint.com",
                                    "postmaster.comcast.net",
                                    "comcast.net",
                                    "cox.com",
                                    "cox.net",
                                    "secureserver.net",
                                    "spectrum.net",
                                    "charter.net",
                                    "docomo.ne.jp",
                                    "ezweb.ne.jp",
                                    "au.com",
                                    "orange.fr",
                                    "wanadoo.fr",
                                    "laposte.net",
                                    "t-online.de",
                                    "qq.com",
                                    "mimecast.com",
                                    "iua.hu",
                                    "libsisimai.org",
                                    "libsisimai.net",
                                    "aka.ms",
                                    "amazonaws.com",
                                    "sendgrid.net",
                                    "facebook.com",
                                    "kddi.com",
                                    "dion.ne.jp",
                                    "biglobe.ne.jp",
                                    "vtext.com"}) {
        if (h == suffix || (h.size() > suffix.size() && h.ends_with(suffix) &&
                            h[h.size() - suffix.size() - 1] == '.')) {
            return true;
        }
    }
    return false;
}

class Rewriter {
public:
    explicit Rewriter(std::uint32_t seed) : m_random(seed) {}

    // Addresses, host names and IPv4 addresses replaced consistently through text.
    std::string names(const std::string& text)
    {
        std::string out;
        out.reserve(text.size());
        std::size_t i = 0;
        while (i < text.size()) {
            const char c = text[i];
            if (is_digit(c) && (i == 0 || (!is_host_byte(text[i - 1]) && text[i - 1] != '@'))) {
                const std::size_t len = ipv4_length(text, i);
                if (len > 0) {
                    out += ip(text.substr(i, len));
                    i += len;
                    continue;
                }
            }
            if ((is_local_byte(c) || is_host_byte(c)) &&
                (i == 0 || !(is_local_byte(text[i - 1]) || is_host_byte(text[i - 1])))) {
                std::size_t end = i;
                while (end < text.size() && (is_local_byte(text[end]) || is_host_byte(text[end]))) {
                    ++end;
                }
                if (end < text.size() && text[end] == '@') {
                    std::size_t domain_end = end + 1;
                    while (domain_end < text.size() && is_host_byte(text[domain_end])) {
                        ++domain_end;
                    }
                    std::string domain = text.substr(end + 1, domain_end - end - 1);
                    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) {
                        domain.pop_back();
                    }
                    if (domain.find('.') != std::string::npos) {
                        out += local(text.substr(i, end - i)) + "@" + host(domain);
                        i = end + 1 + domain.size();
                        continue;
                    }
                }
                std::string token = text.substr(i, end - i);
                while (!token.empty() && (token.back() == '.' || token.back() == '-')) {
                    token.pop_back();
                }
                if (looks_like_host(token)) {
                    out += host(token);
                    i += token.size();
                    continue;
                }
                out += text.substr(i, end - i);
                i = end;
                continue;
            }
            out += c;
            ++i;
        }
        return out;
    }

    // Each Diagnostic-Code's text (its folded lines joined) in another case, wording and
    // folding width.
    std::string wording(const std::string& text)
    {
        std::istringstream in(text);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) {
            lines.push_back(line);
        }
        std::string out;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string& line = lines[i];
            const std::size_t semicolon = line.find(';');
            if (lower(line.substr(0, 16)) != "diagnostic-code:" || semicolon == std::string::npos) {
                out += line + "\n";
                continue;
            }
            std::string value = line.substr(semicolon + 1);
            std::size_t j = i + 1;
            while (j < lines.size() && !lines[j].empty() &&
                   (lines[j][0] == ' ' || lines[j][0] == '\t')) {
                value += " " + lines[j].substr(lines[j].find_first_not_of(" \t"));
                ++j;
            }
            const bool crlf = !value.empty() && value.back() == '\r';
            if (crlf) {
                value.pop_back();
            }
            value = reword(value);
            switch (m_random() % 3) {
            case 1:
                value = lower(value);
                break;
            case 2:
                value = upper(value);
                break;
            default:
                break;
            }
            out += fold(line.substr(0, semicolon + 1), value, crlf);
            i = j - 1;
        }
        return out;
    }

private:
    static std::size_t ipv4_length(const std::string& text, std::size_t at)
    {
        std::size_t pos = at;
        for (int part = 0; part < 4; ++part) {
            std::size_t digits = 0;
            while (pos < text.size() && is_digit(text[pos]) && digits < 4) {
                ++pos;
                ++digits;
            }
            if (digits == 0 || digits > 3) {
                return 0;
            }
            if (part < 3) {
                if (pos >= text.size() || text[pos] != '.') {
                    return 0;
                }
                ++pos;
            }
        }
        if (pos < text.size() && (is_digit(text[pos]) || text[pos] == '.')) {
            return pos + 1 < text.size() && text[pos] == '.' && !is_digit(text[pos + 1]) ? pos - at
                                                                                         : 0;
        }
        return pos - at;
    }

    static bool looks_like_host(const std::string& token)
    {
        if (token.find('.') == std::string::npos || token.front() == '.' || token.size() < 4) {
            return false;
        }
        // A top-level label of letters, and a letter somewhere before it ("5.1.1" is no host).
        const std::string tld = token.substr(token.rfind('.') + 1);
        if (tld.size() < 2 ||
            tld.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
                std::string::npos) {
            return false;
        }
        const std::string t = lower(tld);
        for (std::string_view known :
             {"jp",   "org", "net",     "com",  "de",    "fr",          "ru", "uk",
              "info", "biz", "edu",     "au",   "cn",    "it",          "ua", "hu",
              "cat",  "mx",  "example", "test", "local", "localdomain", "co"}) {
            if (t == known) {
                return true;
            }
        }
        return false;
    }

    std::string local(const std::string& name)
    {
        if (is_role(name)) {
            return name;
        }
        auto [it, added] = m_locals.try_emplace(lower(name));
        if (added) {
            static const char* first[] = {"alice", "bob", "carol", "dave", "erin", "frank"};
            it->second = std::string(first[m_random() % 6]) + (m_random() % 2 ? "." : "_") +
                         std::to_string(m_random() % 1000);
        }
        return it->second;
    }

    std::string host(const std::string& name)
    {
        if (keep_host(name)) {
            return name;
        }
        auto [it, added] = m_hosts.try_emplace(lower(name));
        if (added) {
            static const char* labels[] = {"mx", "mail", "smtp", "relay", "in", "mta"};
            static const char* words[] = {"acme", "widget", "contoso", "fabrikam", "sample"};
            static const char* tlds[] = {"org", "net", "com", "de"};
            const std::size_t parts = std::count(name.begin(), name.end(), '.') + 1;
            std::string out;
            for (std::size_t p = 0; p + 2 < parts; ++p) {
                out += std::string(labels[m_random() % 6]) + std::to_string(m_random() % 90) + ".";
            }
            out += std::string(words[m_random() % 5]) + std::to_string(m_random() % 90) + "." +
                   tlds[m_random() % 4];
            it->second = out;
        }
        return it->second;
    }

    std::string ip(const std::string& address)
    {
        if (address.starts_with("127.")) {
            return address;
        }
        auto [it, added] = m_ips.try_emplace(address);
        if (added) {
            static const char* nets[] = {"198.51.100.", "203.0.113.", "192.0.2."};
            it->second = std::string(nets[m_random() % 3]) + std::to_string(1 + m_random() % 250);
        }
        return it->second;
    }

    static std::string replace_all(std::string text, std::string_view from, std::string_view to)
    {
        if (from.empty()) {
            return text;
        }
        for (std::size_t at = text.find(from); at != std::string::npos;
             at = text.find(from, at + to.size())) {
            text.replace(at, from.size(), to);
        }
        return text;
    }

    std::string reword(std::string value)
    {
        static const std::pair<const char*, const char*> k_swaps[] = {
            {"Please visit", "Please see"},          {"please visit", "please see"},
            {"for more information", "for details"}, {"For more information", "For details"},
            {"Please contact", "Contact"},           {"Learn more at", "See"},
        };
        for (const auto& [from, to] : k_swaps) {
            const std::size_t at = value.find(from);
            if (at != std::string::npos && m_random() % 2 == 0) {
                value.replace(at, std::string_view(from).size(), to);
            }
        }
        // Synonyms of the free text, either way, each pair at random: a receiver (or another
        // version of the same software) may write either.
        static const std::pair<const char*, const char*> k_synonyms[] = {
            {"does not", "doesn't"}, {"cannot", "can not"},   {"is not", "isn't"},
            {"email", "e-mail"},     {"Email", "E-mail"},     {"this message", "the message"},
            {"Sorry, ", ""},         {"sorry, ", ""},         {"Please ", ""},
            {"rejected", "refused"}, {"Rejected", "Refused"}, {"could not", "couldn't"},
            {"do not", "don't"},     {"was not", "wasn't"},   {"unavailable", "not available"},
        };
        for (const auto& [a, b] : k_synonyms) {
            if (m_random() % 2 == 0) {
                continue;
            }
            const bool forward = m_random() % 2 == 0 || std::string_view(b).empty();
            value = replace_all(value, forward ? a : b, forward ? b : a);
        }
        // "840 minutes" -> another duration.
        for (std::string_view unit : {" minutes", " hours", " days", " seconds"}) {
            std::size_t at = value.find(unit);
            if (at == std::string::npos || at == 0 || !is_digit(value[at - 1])) {
                continue;
            }
            std::size_t begin = at;
            while (begin > 0 && is_digit(value[begin - 1])) {
                --begin;
            }
            value.replace(begin, at - begin, std::to_string(2 + m_random() % 97));
        }
        return value;
    }

    std::string fold(const std::string& name, const std::string& value, bool crlf)
    {
        const std::size_t width = std::vector<std::size_t>{40, 60, 78, 400}[m_random() % 4];
        const std::string eol = crlf ? "\r\n" : "\n";
        std::string out = name;
        std::size_t column = out.size();
        std::istringstream words(value);
        for (std::string word; words >> word;) {
            if (column + 1 + word.size() > width && column > 4) {
                out += eol + "    ";
                column = 4;
            } else {
                out += " ";
                ++column;
            }
            out += word;
            column += word.size();
        }
        return out + eol;
    }

    std::mt19937 m_random;
    std::map<std::string, std::string> m_locals;
    std::map<std::string, std::string> m_hosts;
    std::map<std::string, std::string> m_ips;
};

struct Reading {
    std::string format;
    std::vector<std::string> entries; // "status reason" per recipient
};

Reading read(const std::string& text)
{
    Reading reading;
    const auto report = ingest::parse_bounce(text);
    if (!report) {
        return reading;
    }
    reading.format = std::string(ingest::format_name(report->format));
    for (const ingest::RecipientReport& r : report->recipients) {
        const ingest::ClassifiedRecipient c =
            ingest::classify_recipient(*report, r, classify::Classifier::builtin());
        reading.entries.push_back(c.status + " " + std::string(c.result.reason));
    }
    return reading;
}

} // namespace

TEST_CASE("bounce paraphrase: other addresses, hosts, IPs and wording read the same, per format")
{
    const char* seed_text = std::getenv("SMTPPROBE_TEST_SEED");
    const std::uint32_t seed =
        seed_text != nullptr ? static_cast<std::uint32_t>(std::strtoul(seed_text, nullptr, 10))
                             : std::random_device{}();
    std::cout << "bounce paraphrase: seed " << seed << " (SMTPPROBE_TEST_SEED=" << seed
              << " repeats it)\n";
    const std::filesystem::path dir = std::filesystem::path(SMTPPROBE_CORPUS_DIR) / "bounces";
    REQUIRE(std::filesystem::exists(dir / "labels.tsv"));
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".eml") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() > 250);

    constexpr int k_rewrites = 3;
    std::map<std::string, std::pair<int, int>> per_format; // format -> (rewrites, changed)
    std::ostringstream changes;
    std::uint32_t file_seed = seed;
    std::size_t rewritten = 0; // rewrites that changed the text (the test is not vacuous)
    for (const auto& path : files) {
        const std::string original = test::read_file(path.string());
        const Reading want = read(original);
        for (int k = 0; k < k_rewrites; ++k) {
            Rewriter rewriter(++file_seed);
            std::string text = rewriter.names(original);
            text = rewriter.wording(text);
            rewritten += text != original ? 1 : 0;
            const Reading got = read(text);
            auto& [rewrites, changed] = per_format[want.format];
            ++rewrites;
            if (got.entries != want.entries) {
                ++changed;
                changes << "  " << want.format << " " << path.filename().string() << " rewrite "
                        << k << " (seed " << file_seed << "):";
                for (const std::string& e : want.entries) {
                    changes << " [" << e << "]";
                }
                changes << " ->";
                for (const std::string& e : got.entries) {
                    changes << " [" << e << "]";
                }
                changes << "\n";
            }
        }
    }
    std::ostringstream summary;
    int total_changed = 0;
    for (const auto& [format, counts] : per_format) {
        summary << " " << format << " " << counts.first - counts.second << "/" << counts.first;
        total_changed += counts.second;
    }
    std::cout << "bounce paraphrase: unchanged per format:" << summary.str() << "\n";
    INFO(changes.str());
    CHECK(total_changed == 0);
    CHECK(rewritten > files.size() * k_rewrites * 9 / 10);
}
