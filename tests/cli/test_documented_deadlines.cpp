// The default stage deadlines are documented where users look: `--help` prints them from the
// one table (probe/limits.cpp), and the man page states the same values.
#include "probe/limits.hpp"
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace smtpprobe;

TEST_CASE("the default stage deadlines are in --help and the man page, as the table has them")
{
    const std::string defaults = probe::default_deadlines_text();
    CHECK(defaults.find("connect 20 s") != std::string::npos);
    CHECK(defaults.find("session 300 s") != std::string::npos);
    for (const char* command : {"probe", "dsn-test"}) {
        CAPTURE(command);
        auto help = test::run_smtpprobe({command, "--help"});
        CHECK(help.exit_code == 0);
        CHECK(help.out.find(defaults) != std::string::npos);
    }
    std::string man = test::read_file(SMTPPROBE_SOURCE_DIR "/deploy/smtpprobe.1");
    std::replace(man.begin(), man.end(), '\n', ' ');
    std::size_t start = 0;
    while (start < defaults.size()) {
        std::size_t end = defaults.find(", ", start);
        const std::string pair = defaults.substr(start, end - start);
        CAPTURE(pair);
        CHECK(man.find(pair) != std::string::npos);
        start = end == std::string::npos ? defaults.size() : end + 2;
    }
}
