// LiteralScanner against a naive search: every literal kind (word / anywhere, keyed at the
// start or at an inner non-alphanumeric byte, shorter or longer than eight bytes, one or two
// bytes) on hand-picked texts and on random texts built from the literals' own bytes.
#include "monitor/classify/literal_scanner.hpp"

#include <algorithm>
#include <cstdint>
#include <doctest/doctest.h>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace smtpprobe::classify;

namespace {

struct Literal {
    std::string text;
    bool word;
};

bool alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Ids (positions in `literals`) of the literals that occur, by the definition in the header.
std::set<std::uint32_t> naive(const std::vector<Literal>& literals, const std::string& text)
{
    std::set<std::uint32_t> found;
    for (std::uint32_t id = 0; id < literals.size(); ++id) {
        const Literal& literal = literals[id];
        for (std::size_t at = text.find(literal.text); at != std::string::npos;
             at = text.find(literal.text, at + 1)) {
            if (!literal.word || at == 0 || !alnum(text[at - 1]) || !alnum(text[at])) {
                found.insert(id);
            }
        }
    }
    return found;
}

std::set<std::uint32_t> scanned(const LiteralScanner& scanner, const std::string& text)
{
    std::set<std::uint32_t> found;
    scanner.scan(text, [&](std::uint32_t id) { found.insert(id); });
    return found;
}

const std::vector<Literal> k_literals = {
    {"spam", true},
    {"mailbox full", true},
    {"mailbox unavailable", true},
    {"mailbox", true},
    {"ube", true},
    {" does not exist", false},
    {"(as", false},
    {"as(", false},
    {".com", false},
    {"aup#in-1220", false},
    {"dnsbl-1.uceprotect.net", false},
    {"blocked using ", false},
    {"zen.spamhaus.org", false},
    {"s3140", false},
    {"as0", false},
    {"sc-", false},
    {"x-unix;", false},
    {"5.", true},
    {"q", false},
    {"ab", true},
};

LiteralScanner build_scanner()
{
    LiteralScanner scanner;
    for (std::uint32_t id = 0; id < k_literals.size(); ++id) {
        REQUIRE(scanner.add(k_literals[id].text, k_literals[id].word) == id);
    }
    scanner.build();
    return scanner;
}

} // namespace

TEST_CASE("literal scanner: finds what a naive search finds on hand-picked texts")
{
    const LiteralScanner scanner = build_scanner();
    const std::vector<std::string> texts = {
        "",
        "s",
        "spam",
        "antispam mailbox full",
        "mailbox fulx mailbox unavailable",
        "mailbox unavailablx",
        "blocked using zen.spamhaus.org",
        "xzen.spamhaus.orgx blocked usingx",
        "the domain x.com does not exist",
        "xaup#in-1220 aup#in-122 dnsbl-1.uceprotect.ne dnsbl-1.uceprotect.net",
        "hdnsbl-1.uceprotect.netx has(12) (as1234) tube cube ube",
        "s3140s3140 as01 5.7.1 25.7 q ab cab",
        "x-unix; x-unix",
        "mailbox ",
        "zen.spamhaus.or",
    };
    for (const std::string& text : texts) {
        CAPTURE(text);
        CHECK(scanned(scanner, text) == naive(k_literals, text));
    }
}

TEST_CASE("literal scanner: finds what a naive search finds on random texts")
{
    const LiteralScanner scanner = build_scanner();
    // Random texts made of pieces of the literals and separators, so that near misses (a
    // literal cut short, one inside a word) are frequent.
    std::mt19937 random(12345);
    const std::string separators = " .-x(#;";
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        const int pieces = static_cast<int>(random() % 8);
        for (int p = 0; p < pieces; ++p) {
            const std::string& literal = k_literals[random() % k_literals.size()].text;
            const std::size_t from = random() % literal.size();
            const std::size_t length = 1 + random() % (literal.size() - from);
            text += literal.substr(random() % 3 == 0 ? from : 0,
                                   random() % 3 == 0 ? length : std::string::npos);
            if (random() % 2 == 0) {
                text += separators[random() % separators.size()];
            }
        }
        CAPTURE(text);
        REQUIRE(scanned(scanner, text) == naive(k_literals, text));
    }
}
