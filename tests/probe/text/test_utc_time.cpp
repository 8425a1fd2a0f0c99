// The one owner of ISO 8601 UTC time text (probe/text/utc_time.hpp): formatting and parsing
// agree with each other and with the calendar, and malformed text is refused.
#include "probe/text/utc_time.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;

TEST_CASE("UTC time text is formatted to the second")
{
    CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_utc(1773260303) == "2026-03-11T20:18:23Z");
    CHECK(format_utc(951782400) == "2000-02-29T00:00:00Z");
    CHECK(format_utc(-1) == "1969-12-31T23:59:59Z");
    const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1773260303)) +
                      std::chrono::milliseconds(999);
    CHECK(iso_utc(when) == "2026-03-11T20:18:23Z");
    CHECK(utc_now_iso().size() == 20);
}

TEST_CASE("UTC time text parses back to the same second")
{
    for (std::int64_t seconds : {std::int64_t{0}, std::int64_t{951782400}, std::int64_t{1773260303},
                                 std::int64_t{4102444799}}) {
        auto parsed = parse_iso_utc(format_utc(seconds));
        REQUIRE(parsed);
        CHECK(
            std::chrono::duration_cast<std::chrono::seconds>(parsed->time_since_epoch()).count() ==
            seconds);
    }
    CHECK(parse_iso_utc("2026-03-11 20:18:23.123456+00:00"));
    CHECK(days_from_civil(2026, 3, 11) * 86400 + 20 * 3600 + 18 * 60 + 23 == 1773260303);
}

TEST_CASE("malformed UTC time text is refused")
{
    for (const char* text : {"", "2026-03-11", "2026-03-11T20:18:23", "2026-03-11T20:18:23+01:00",
                             "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-11Tab:18:23Z",
                             "2026-03-11T24:00:00Z"}) {
        CAPTURE(text);
        CHECK_FALSE(parse_iso_utc(text));
    }
}
