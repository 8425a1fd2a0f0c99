// Timestamps: year inference from the reference time (file mtime) with the December ->
// January roll-over, forced years, ISO/RFC 3339 zones, zoneless stamps in a configured zone,
// and journalctl -o json input.
#include "monitor/ingest/line_parser.hpp"
#include "monitor/ingest/log_time.hpp"

#include <doctest/doctest.h>
#include <stdexcept>
#include <string>

using namespace smtpprobe::ingest;

namespace {

std::int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

std::string parse_utc(TimeParser& parser, std::string_view line)
{
    std::int64_t seconds = 0;
    if (parser.parse(line, seconds) == 0) {
        return "(none)";
    }
    return format_utc(seconds);
}

} // namespace

TEST_CASE("classic syslog stamps take the year from the reference, with roll-over")
{
    TimeZone zone("UTC");
    struct Case {
        std::int64_t reference;
        const char* line;
        const char* expected;
    };
    const Case cases[] = {
        // file written 2026-01-02: December lines are from 2025, January lines from 2026
        {utc(2026, 1, 2, 10, 0, 0), "Dec 30 23:59:59 host x: y", "2025-12-30T23:59:59Z"},
        {utc(2026, 1, 2, 10, 0, 0), "Jan  1 00:00:01 host x: y", "2026-01-01T00:00:01Z"},
        {utc(2026, 1, 2, 10, 0, 0), "Jan 02 10:30:00 host x: y", "2026-01-02T10:30:00Z"},
        // never "this year" blindly: a March line read in November is from this year, a
        // December line read in March is from last year
        {utc(2026, 11, 22, 12, 0, 0), "Mar 11 20:18:23 sm-mta[1]: x", "2026-03-11T20:18:23Z"},
        {utc(2026, 3, 1, 0, 0, 0), "Dec 11 20:18:23 sm-mta[1]: x", "2025-12-11T20:18:23Z"},
        // leap day
        {utc(2028, 3, 1, 0, 0, 0), "Feb 29 12:00:00 h p: m", "2028-02-29T12:00:00Z"},
        {utc(2026, 1, 2, 10, 0, 0), "Foo 30 23:59:59 host x: y", "(none)"},
        {utc(2026, 1, 2, 10, 0, 0), "Dec 32 23:59:59 host x: y", "(none)"},
        {utc(2026, 1, 2, 10, 0, 0), "Dec 30 24:00:00 host x: y", "(none)"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.line);
        TimeParser parser(zone, c.reference);
        CHECK(parse_utc(parser, c.line) == c.expected);
    }
}

TEST_CASE("--year: the first line's year, +1 at each December -> January step")
{
    TimeZone zone("UTC");
    TimeParser parser(zone, utc(2030, 6, 1, 0, 0, 0), 2019);
    CHECK(parse_utc(parser, "Dec 31 23:59:00 h p: m") == "2019-12-31T23:59:00Z");
    CHECK(parse_utc(parser, "Jan  1 00:01:00 h p: m") == "2020-01-01T00:01:00Z");
    CHECK(parse_utc(parser, "Mar  1 00:01:00 h p: m") == "2020-03-01T00:01:00Z");
}

TEST_CASE("ISO stamps: zones, fractions, Exim's space before the zone")
{
    TimeZone zone("UTC");
    TimeParser parser(zone, 0);
    const std::pair<const char*, const char*> cases[] = {
        {"2026-11-22T05:10:01.123456+01:00 h p: m", "2026-11-22T04:10:01Z"},
        {"2026-11-22T05:10:01+0100 h p: m", "2026-11-22T04:10:01Z"},
        {"2026-11-21T23:10:01-05:00 h p: m", "2026-11-22T04:10:01Z"},
        {"2026-11-22T04:10:01Z h p: m", "2026-11-22T04:10:01Z"},
        {"2026-11-22T04:10:01.5Z h p: m", "2026-11-22T04:10:01Z"},
        {"2026-11-22 04:10:01 1rAbCd-000123-AB Completed", "2026-11-22T04:10:01Z"},
        {"2026-11-22 05:10:01.999 +0100 1rAbCd-000123-AB Completed", "2026-11-22T04:10:01Z"},
        {"2026-13-22T04:10:01Z h p: m", "(none)"},
        {"2026-11-22X04:10:01Z h p: m", "(none)"},
    };
    for (const auto& [line, expected] : cases) {
        CAPTURE(line);
        CHECK(parse_utc(parser, line) == expected);
    }
}

TEST_CASE("zoneless stamps are read in the configured zone, DST included")
{
    TimeZone berlin("Europe/Berlin");
    TimeParser parser(berlin, utc(2026, 11, 22, 12, 0, 0));
    CHECK(parse_utc(parser, "Nov 22 05:10:01 h p: m") == "2026-11-22T04:10:01Z"); // CET
    CHECK(parse_utc(parser, "Jul 15 12:00:00 h p: m") == "2026-07-15T10:00:00Z"); // CEST
    CHECK(parse_utc(parser, "2026-07-15T12:00:00 h p: m") == "2026-07-15T10:00:00Z");
    CHECK(parse_utc(parser, "2026-07-15T12:00:00Z h p: m") == "2026-07-15T12:00:00Z");
    CHECK_THROWS_AS(TimeZone("Mars/Olympus_Mons"), std::invalid_argument);
    CHECK_THROWS_AS(TimeZone("../../etc/passwd"), std::invalid_argument);
    TimeZone back("UTC"); // leave the process in UTC for the other tests
}

TEST_CASE("journalctl -o json lines")
{
    TimeZone zone("UTC");
    TimeParser time(zone, 0);
    LineParser parser(time);
    LogRecord record;
    std::string line =
        R"({"__REALTIME_TIMESTAMP":"1795321801123456","_HOSTNAME":"mail",)"
        R"("SYSLOG_IDENTIFIER":"postfix/smtp","_PID":"123","MESSAGE":"4F2A31C0123: )"
        R"(to=<alice@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, )"
        R"J(delay=1.2, delays=0.1/0.01/0.4/0.69, dsn=2.0.0, status=sent (250 2.0.0 OK)"})J";
    REQUIRE(parser.parse(line, record) == RecordKind::delivery);
    CHECK(format_utc(record.time) == "2026-11-22T04:30:01Z");
    CHECK(record.host == "mail");
    CHECK(record.recipient == "alice@gmail.com");
    CHECK(record.relay_ip == "142.250.102.27");
    CHECK(record.reply == "250 2.0.0 OK");
    // binary MESSAGE (an array of bytes), broken JSON, another program
    CHECK(parser.parse(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":[1,2,3]})", record) ==
          RecordKind::unparseable);
    CHECK(parser.parse(R"({"__REALTIME_TIMESTAMP":"1","MESSA)", record) == RecordKind::unparseable);
    CHECK(parser.parse(R"({"__REALTIME_TIMESTAMP":"1","MESSAGE":"hi","SYSLOG_IDENTIFIER":"cron"})",
                       record) == RecordKind::foreign);
}

TEST_CASE("format_utc and days_from_civil agree")
{
    for (std::int64_t t : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{1795348800},
                           std::int64_t{4102444799}}) {
        std::string text = format_utc(t);
        int y = std::stoi(text.substr(0, 4));
        int mo = std::stoi(text.substr(5, 2));
        int d = std::stoi(text.substr(8, 2));
        int h = std::stoi(text.substr(11, 2));
        int mi = std::stoi(text.substr(14, 2));
        int s = std::stoi(text.substr(17, 2));
        CHECK(utc(y, mo, d, h, mi, s) == t);
    }
    CHECK(format_utc(951782400) == "2000-02-29T00:00:00Z");
}
