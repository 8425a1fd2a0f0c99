// Tests for probe/log: the line formats (plain, coloured, journald priorities), level
// filtering by verbosity.
#include "probe/log.hpp"

#include <doctest/doctest.h>

using smtpprobe::log::format;
using smtpprobe::log::Level;

TEST_CASE("log format: plain, journal priorities and colour")
{
    struct Case {
        Level level;
        bool journal;
        bool color;
        std::string expected;
    };
    const Case cases[] = {
        {Level::error, false, false, "smtpprobe: error: disk full\n"},
        {Level::warn, false, false, "smtpprobe: warning: disk full\n"},
        {Level::info, false, false, "smtpprobe: disk full\n"},
        {Level::debug, false, false, "smtpprobe: debug: disk full\n"},
        {Level::error, true, false, "<3>error: disk full\n"},
        {Level::warn, true, false, "<4>warning: disk full\n"},
        {Level::info, true, false, "<6>disk full\n"},
        {Level::debug, true, false, "<7>debug: disk full\n"},
        {Level::error, false, true, "smtpprobe: \033[1;31merror: \033[0mdisk full\n"},
        {Level::info, false, true, "smtpprobe: disk full\n"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.expected);
        CHECK(format(c.level, "disk full", c.journal, c.color) == c.expected);
    }
}

TEST_CASE("log format: every line of a multi-line message gets the prefix")
{
    CHECK(format(Level::warn, "a\nb", true, false) == "<4>warning: a\n<4>warning: b\n");
    CHECK(format(Level::info, "a\nb", false, false) == "smtpprobe: a\nsmtpprobe: b\n");
}

TEST_CASE("log verbosity filters levels")
{
    using namespace smtpprobe::log;
    struct Case {
        int verbosity;
        bool warn_on;
        bool info_on;
        bool debug_on;
    };
    const Case cases[] = {
        {-2, false, false, false}, {-1, true, false, false}, {0, true, true, false},
        {1, true, true, true},     {3, true, true, true},
    };
    for (const Case& c : cases) {
        CAPTURE(c.verbosity);
        set_verbosity(c.verbosity);
        CHECK(enabled(Level::error));
        CHECK(enabled(Level::warn) == c.warn_on);
        CHECK(enabled(Level::info) == c.info_on);
        CHECK(enabled(Level::debug) == c.debug_on);
    }
    set_verbosity(0);
}
