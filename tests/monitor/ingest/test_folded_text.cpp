// The inline scanners of the bounce reader against their slow definitions, on hand-made
// cases and on every corpus message (as written and case-scrambled): find_folded ==
// lower_ascii(text).find, FoldedNeedleSet == one search per needle (and find_first),
// find_char == string_view::find, find_line_before, is_plain_ascii, contains_pair and
// next_code_start == their byte loops.
#include "monitor/ingest/bounce/byte_scan.hpp"
#include "monitor/ingest/bounce/folded_text.hpp"
#include "monitor/ingest/bounce/header_fields.hpp"
#include "tests/monitor/ingest/corpus_texts.hpp"

#include <algorithm>
#include <array>
#include <doctest/doctest.h>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::texts;

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
