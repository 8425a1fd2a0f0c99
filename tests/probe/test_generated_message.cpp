// The `deliver` script's message: RFC 5322 headers (Date in section 3.3 form), CRLF lines,
// dot-terminated, no line a receiver would mistake for the end of data.
#include "probe/session.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace smtpprobe::probe;
using namespace std::chrono;

TEST_CASE("rfc5322_date gives the RFC 5322 date-time in UTC")
{
    struct Case {
        sys_seconds t;
        const char* text;
    } cases[] = {
        {sys_days{2026y / November / 22} + 10h + 4min + 18s, "Sun, 22 Nov 2026 10:04:18 +0000"},
        {sys_days{2024y / February / 29} + 23h + 59min + 59s, "Thu, 29 Feb 2024 23:59:59 +0000"},
        {sys_days{1970y / January / 1}, "Thu, 01 Jan 1970 00:00:00 +0000"},
    };
    for (const auto& c : cases) {
        CHECK(rfc5322_date(system_clock::time_point(c.t)) == c.text);
    }
}

TEST_CASE("generated_message: headers, CRLF lines, dot-terminated")
{
    ScriptValues values{"probe@example.test", "rcpt@example.net", "mx.example.test", "sp.42"};
    std::string msg = generated_message(values);
    CHECK(msg.find("From: <probe@example.test>\r\n") == 0);
    CHECK(msg.find("\r\nTo: <rcpt@example.net>\r\n") != std::string::npos);
    CHECK(msg.find("\r\nMessage-ID: <sp.42@mx.example.test>\r\n") != std::string::npos);
    auto date = msg.find("\r\nDate: ");
    REQUIRE(date != std::string::npos);
    auto date_end = msg.find("\r\n", date + 2);
    // "Date: Sun, 22 Nov 2026 10:04:18 +0000"
    CHECK(date_end - (date + 2) == 37);
    CHECK(msg.substr(date_end - 6, 6) == " +0000");
    CHECK(msg.size() >= 5);
    CHECK(msg.substr(msg.size() - 5) == "\r\n.\r\n");
    for (std::size_t i = 0; i < msg.size(); ++i) {
        if (msg[i] == '\n') {
            CHECK(i > 0);
            CHECK(msg[i - 1] == '\r');
        }
    }
    // Only the terminator starts a line with a dot.
    CHECK(msg.find("\r\n.") == msg.size() - 5);
}
