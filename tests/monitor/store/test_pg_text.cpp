// Byte-exact text through PostgreSQL (monitor/store/pg_text.hpp).
#include "monitor/store/pg_text.hpp"
#include "probe/text/utf8.hpp"

#include <cstdint>
#include <doctest/doctest.h>
#include <iostream>
#include <random>

using namespace smtpprobe::store::pg;

TEST_CASE("pg text: valid UTF-8 without NUL is stored as it is")
{
    for (std::string s : {"", "plain ascii", "caf\xC3\xA9 \xE2\x80\xAE \xF0\x9F\x93\xAC"}) {
        CHECK_FALSE(needs_encoding(s));
        CHECK(encode_text(s) == s);
        CHECK(decode_text(s) == s);
    }
}

TEST_CASE("pg text: invalid bytes, NUL and the escape itself round-trip as valid UTF-8")
{
    const std::string cases[] = {std::string("a\0b", 3),
                                 "\xFF\xFE",
                                 "\xC3",
                                 "ok \xE2\x80 cut",
                                 "\xED\xA0\x80",
                                 "\xF4\x8F\xBF\xBF",
                                 "\xF4\x8F\xBF\xBF\xF4\x8F\xB8\x80",
                                 "\xC0\xAF"};
    for (const std::string& s : cases) {
        CHECK(needs_encoding(s));
        const std::string stored = encode_text(s);
        CHECK(smtpprobe::is_valid_utf8(stored));
        CHECK(stored.find('\0') == std::string::npos);
        CHECK(decode_text(stored) == s);
    }
}

TEST_CASE("pg text: random bytes round-trip and distinct texts stay distinct")
{
    const std::uint32_t seed = std::random_device{}();
    std::cout << "pg text seed " << seed << "\n";
    std::mt19937 random(seed);
    // Bytes biased towards the escape's own lead bytes and UTF-8 lead bytes.
    const unsigned char alphabet[] = {0x00, 'a', 0x80, 0x8F, 0xB8, 0xBF, 0xC3, 0xE2, 0xF4, 0xFF};
    for (int i = 0; i < 20000; ++i) {
        std::string a;
        std::string b;
        const int length = static_cast<int>(random() % 12);
        for (int j = 0; j < length; ++j) {
            a += static_cast<char>(alphabet[random() % sizeof alphabet]);
            b += static_cast<char>(alphabet[random() % sizeof alphabet]);
        }
        const std::string ea = encode_text(a);
        REQUIRE(smtpprobe::is_valid_utf8(ea));
        REQUIRE(decode_text(ea) == a);
        REQUIRE((a == b) == (ea == encode_text(b)));
    }
}
