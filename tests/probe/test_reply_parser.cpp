// Reply parser: table-driven cases for well-formed, malformed and oversized replies, fed in
// every split (one byte at a time, and whole).
#include "probe/reply_parser.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe::probe;

namespace {

struct Case {
    const char* name;
    std::string input;
    bool ok;
    int code;
    const char* enhanced;
    std::size_t lines;
    const char* error_part; // substring of the error when !ok
};

// Feeds input in chunks of `chunk` bytes until a reply completes or fails.
ReplyOutcome parse(const std::string& input, std::size_t chunk, PeerLimits limits = {},
                   std::size_t* consumed = nullptr)
{
    ReplyParser parser(limits);
    std::size_t pos = 0;
    while (pos < input.size() && parser.state() == ReplyParser::State::incomplete) {
        std::size_t n = std::min(chunk, input.size() - pos);
        pos += parser.feed(std::string_view(input).substr(pos, n));
    }
    if (parser.state() == ReplyParser::State::incomplete) {
        parser.end_of_stream();
    }
    if (consumed) {
        *consumed = pos;
    }
    return parser.take();
}

} // namespace

TEST_CASE("reply parser: table of replies, whole and byte by byte")
{
    const std::vector<Case> cases = {
        {"single line", "220 mx.example.com ESMTP\r\n", true, 220, "", 1, ""},
        {"enhanced status", "550 5.7.1 Service unavailable\r\n", true, 550, "5.7.1", 1, ""},
        {"S3140 multi-line",
         "550-5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent.\r\n"
         "550 5.7.1 ... on our block list (S3140)\r\n",
         true, 550, "5.7.1", 2, ""},
        {"enhanced class must match code", "550 4.7.1 odd\r\n", true, 550, "", 1, ""},
        {"three-digit detail", "452 4.5.302 too many\r\n", true, 452, "4.5.302", 1, ""},
        {"not an enhanced code", "250 2.1 partial\r\n", true, 250, "", 1, ""},
        {"code only", "250\r\n", true, 250, "", 1, ""},
        {"bare LF accepted", "250 ok\n", true, 250, "", 1, ""},
        {"EHLO multi-line", "250-mx\r\n250-PIPELINING\r\n250-DSN\r\n250 STARTTLS\r\n", true, 250,
         "", 4, ""},
        {"garbage instead of a code", "HELLO THERE\r\n", false, 0, "", 0, "without a three-digit"},
        {"code too short", "25\r\n", false, 0, "", 0, "without a three-digit"},
        {"bad separator", "250_ok\r\n", false, 0, "", 0, "without a three-digit"},
        {"code out of range", "999 what\r\n", false, 0, "", 0, "outside"},
        {"codes change between lines", "250-one\r\n550 two\r\n", false, 0, "", 0, "changed"},
        {"garbage continuation", "250-one\r\nxyz\r\n", false, 0, "", 0, "continuation"},
        {"closed mid-line", "250 no newline", false, 0, "", 0, "middle of a reply"},
        {"closed mid-reply", "250-first\r\n", false, 0, "", 0, "middle of a reply"},
        {"closed before anything", "", false, 0, "", 0, "closed by the peer"},
    };
    for (const auto& c : cases) {
        for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
            CAPTURE(c.name);
            CAPTURE(chunk);
            ReplyOutcome out = parse(c.input, chunk);
            CHECK(out.ok == c.ok);
            if (c.ok) {
                CHECK(out.reply.code == c.code);
                CHECK(out.reply.enhanced == c.enhanced);
                CHECK(out.reply.lines.size() == c.lines);
            } else {
                CHECK(out.error.find(c.error_part) != std::string::npos);
            }
        }
    }
}

TEST_CASE("reply parser: text keeps every line without the code")
{
    ReplyOutcome out = parse("550-5.7.1 first\r\n550 5.7.1 second\r\n", 3);
    REQUIRE(out.ok);
    CHECK(out.reply.text() == "5.7.1 first\n5.7.1 second");
    CHECK(out.reply.wire_text() == "550-5.7.1 first\n550 5.7.1 second");
    CHECK(out.reply.klass() == 5);
}

TEST_CASE("reply parser: a long line is cut at the limit and the rest skipped")
{
    std::string line = "250 " + std::string(10000, 'x') + "\r\n";
    ReplyOutcome out = parse(line, 512);
    REQUIRE(out.ok);
    CHECK(out.reply.truncated);
    CHECK(out.reply.lines.front().size() == PeerLimits{}.max_line_bytes - 4);
}

TEST_CASE("reply parser: lines beyond the per-reply limit are counted, not kept")
{
    PeerLimits limits;
    limits.max_reply_lines = 5;
    std::string input;
    for (int i = 0; i < 20; ++i) {
        input += "250-line " + std::to_string(i) + "\r\n";
    }
    input += "250 end\r\n";
    ReplyOutcome out = parse(input, 64, limits);
    REQUIRE(out.ok);
    CHECK(out.reply.lines.size() == 5);
    CHECK(out.reply.skipped_lines == 16);
    CHECK(out.reply.truncated);
    // The first four and the final line: the transcript never shows line 4 as the last one.
    CHECK(out.reply.lines[3] == "line 3");
    CHECK(out.reply.lines.back() == "end");
    CHECK(out.reply.wire_text().ends_with("250-line 3\n250 end"));
}

TEST_CASE("reply parser: an endless reply or a 1 MB line ends as a protocol error")
{
    std::string endless;
    while (endless.size() < 200'000) {
        endless += "250-more and more\r\n";
    }
    ReplyOutcome a = parse(endless, 4096);
    CHECK_FALSE(a.ok);
    CHECK(a.error.find("larger than") != std::string::npos);

    std::string huge = "250 " + std::string(1'000'000, 'y') + "\r\n";
    std::size_t consumed = 0;
    ReplyOutcome b = parse(huge, 4096, {}, &consumed);
    CHECK_FALSE(b.ok);
    CHECK(b.error.find("larger than") != std::string::npos);
    // It stopped reading at the limit, not at the end of the megabyte.
    CHECK(consumed <= PeerLimits{}.max_reply_bytes + 4096);
}

TEST_CASE("reply parser: the size limit is exact, whatever the split")
{
    PeerLimits limits;
    limits.max_reply_bytes = 64;
    limits.max_line_bytes = 16;
    // 64 bytes exactly: accepted (its long line cut at 16 bytes); one byte more: refused, and
    // the parser consumed exactly limit + 1 bytes.
    std::string fits = "250-" + std::string(40, 'a') + "\r\n250 " + std::string(12, 'b') + "\r\n";
    REQUIRE(fits.size() == 64);
    std::string over = "250-" + std::string(40, 'a') + "\r\n250 " + std::string(13, 'b') + "\r\n";
    for (std::size_t chunk :
         {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{64}, std::size_t{4096}}) {
        CAPTURE(chunk);
        std::size_t consumed = 0;
        ReplyOutcome a = parse(fits + "250 next\r\n", chunk, limits, &consumed);
        REQUIRE(a.ok);
        CHECK(consumed == 64);
        CHECK(a.reply.truncated);
        CHECK(a.reply.lines.at(0) == std::string(12, 'a'));
        CHECK(a.reply.lines.at(1) == std::string(12, 'b'));
        ReplyOutcome b = parse(over, chunk, limits, &consumed);
        CHECK_FALSE(b.ok);
        CHECK(b.error.find("larger than 64 bytes") != std::string::npos);
        CHECK(consumed == 65);
    }
}

TEST_CASE("reply parser: bytes after a reply are left for the next one")
{
    ReplyParser parser;
    std::string input = "250 first\r\n354 second\r\n";
    std::size_t used = parser.feed(input);
    CHECK(used == 11);
    REQUIRE(parser.state() == ReplyParser::State::complete);
    CHECK(parser.take().reply.code == 250);
    parser.feed(std::string_view(input).substr(used));
    REQUIRE(parser.state() == ReplyParser::State::complete);
    CHECK(parser.take().reply.code == 354);
}

TEST_CASE("enhanced status prefix: table")
{
    struct E {
        int code;
        const char* text;
        const char* want;
    };
    const std::vector<E> cases = {
        {550, "5.7.606 Access denied", "5.7.606"},
        {250, "2.0.0 Ok", "2.0.0"},
        {421, "4.7.0 try later", "4.7.0"},
        {550, "5.7.1", "5.7.1"},
        {550, "5.7.1234 too long", ""},
        {550, "5.7 short", ""},
        {550, "4.7.1 wrong class", ""},
        {550, "x.7.1", ""},
        {550, "5.7.1abc", ""},
        {354, "3.0.0 hmm", ""},
    };
    for (const auto& e : cases) {
        CAPTURE(e.text);
        CHECK(enhanced_status_prefix(e.code, e.text) == e.want);
    }
}
