// Direct JSON text output: what it writes parses back to the same string, hostile bytes
// included; invalid UTF-8 is replaced as nlohmann's serialiser does.
#include "web/api/json_text.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe::web;

TEST_CASE("strings written directly parse back unchanged")
{
    const std::string cases[] = {
        "",
        "plain",
        "quote \" backslash \\ slash /",
        "</script><script>alert(1)</script>",
        // A literal with its length from the compiler (ASan caught a hand-counted 26 for 24).
        [] {
            static const char k[] = "nul \0 bell \x07 esc \x1b del \x7f";
            return std::string(k, sizeof k - 1);
        }(),
        "tab\tnewline\ncr\r",
        "utf-8: é – 漢字 😀",
    };
    for (const auto& text : cases) {
        CAPTURE(text);
        std::string out;
        append_json_string(out, text);
        auto parsed = nlohmann::json::parse(out);
        CHECK(parsed.get<std::string>() == text);
    }
}

TEST_CASE("invalid UTF-8 is replaced, never passed through")
{
    const std::string bad[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
    for (const auto& text : bad) {
        CAPTURE(text);
        CHECK(!is_valid_utf8(text));
        std::string out;
        append_json_string(out, text);
        auto parsed = nlohmann::json::parse(out); // throws if the output were not valid JSON
        CHECK(parsed.get<std::string>().find("\xef\xbf\xbd") != std::string::npos);
    }
    CHECK(is_valid_utf8("é😀"));
    std::string out;
    append_json_optional(out, std::nullopt);
    CHECK(out == "null");
}
