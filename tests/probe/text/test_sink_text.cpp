// The peer-text escapers of the terminal and JSON sinks (probe/printable.hpp,
// probe/text/json_output.hpp): table cases for what each character becomes; fuzz_sink_text
// checks the same contracts on any bytes.
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"
#include "probe/text/utf8.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe;

TEST_CASE("the terminal sink shows controls, bidi overrides and invalid bytes as escapes")
{
    struct Case {
        std::string in;
        std::string out;
    };
    const Case cases[] = {
        {"plain text", "plain text"},
        {"back\\slash", "back\\\\slash"},
        {"cr\rlf\ntab\t", "cr\\rlf\\ntab\\t"},
        {"reset\x1b"
         "c bell\x07",
         "reset\\x1bc bell\\x07"},
        {"del\x7f", "del\\x7f"},
        {"mx\xff\xfe.attacker.example", "mx\\xff\\xfe.attacker.example"},
        {"csi\xc2\x9b"
         "2J",
         "csi\\xc2\\x9b2J"},
        {"rlo\xe2\x80\xae", "rlo\\xe2\\x80\\xae"},
        {"isolate\xe2\x81\xa6", "isolate\\xe2\\x81\\xa6"},
        {"ls\xe2\x80\xa8", "ls\\xe2\\x80\\xa8"},
        {"utf-8 \xc3\xa9 \xf0\x9f\x98\x80", "utf-8 \xc3\xa9 \xf0\x9f\x98\x80"},
        {"overlong\xc0\xaf", "overlong\\xc0\\xaf"},
        {"surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.in);
        CHECK(printable(c.in) == c.out);
    }
    CHECK(printable(std::string(100, 'a'), 10) == std::string(10, 'a') + "...");
}

TEST_CASE("the JSON sink escapes what nlohmann leaves raw and never throws on peer bytes")
{
    const nlohmann::json doc{
        {"scope", "mx\xff\xfe.attacker.example"},
        {"text", "del\x7f c1\xc2\x9b rlo\xe2\x80\xae ls\xe2\x80\xa8 e\xc3\xa9"},
        {"k\xe2\x80\xae", 1}};
    // nlohmann alone throws type_error 316 here: the bug of issue 17.
    CHECK_THROWS(doc.dump());
    const std::string text = json_text(doc);
    CHECK(text.find("\\u007f") != std::string::npos);
    CHECK(text.find("\\u009b") != std::string::npos);
    CHECK(text.find("\\u202e") != std::string::npos);
    CHECK(text.find("\\u2028") != std::string::npos);
    CHECK(text.find("\xe2\x80\xae") == std::string::npos);
    CHECK(text.find("\x7f") == std::string::npos);
    CHECK(text.find("e\xc3\xa9") != std::string::npos); // printable UTF-8 stays as it is
    CHECK(is_valid_utf8(text));
    const auto back = nlohmann::json::parse(text);
    CHECK(back["scope"] == "mx\xef\xbf\xbd\xef\xbf\xbd.attacker.example");
    CHECK(back["text"] == doc["text"]);
    CHECK(back.contains("k\xe2\x80\xae"));
    const std::string pretty = json_text(doc, 2);
    CHECK(nlohmann::json::parse(pretty) == back);
    CHECK(pretty.find('\n') != std::string::npos);
}

TEST_CASE("strings written directly by the JSON sink read back unchanged")
{
    const std::string cases[] = {"",
                                 "quote \" backslash \\",
                                 "</script>",
                                 std::string("nul \0 esc \x1b", 10),
                                 "del \x7f c1 \xc2\x85 bidi \xe2\x81\xa7 sep \xe2\x80\xa9",
                                 "\xf0\x9f\x98\x80"};
    for (const std::string& text : cases) {
        CAPTURE(text);
        std::string out;
        append_json_string(out, text);
        CHECK(nlohmann::json::parse(out).get<std::string>() == text);
        CHECK(out.find_first_of(std::string("\x1b\x7f\0", 3)) == std::string::npos);
        CHECK(out.find("\xe2\x81\xa7") == std::string::npos);
    }
    std::string bad;
    append_json_string(bad, "a\xff"
                            "b");
    CHECK(nlohmann::json::parse(bad).get<std::string>() == "a\xef\xbf\xbd"
                                                           "b");
}
