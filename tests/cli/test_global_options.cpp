// The command line contract of DESIGN.md: help, version, exit codes for usage errors.
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using smtpprobe::test::run_smtpprobe;

TEST_CASE("--version prints the version and exits 0")
{
    auto r = run_smtpprobe({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("smtpprobe ", 0) == 0);
}

TEST_CASE("--help lists the exit codes and exits 0")
{
    auto r = run_smtpprobe({"--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Exit codes") != std::string::npos);
    CHECK(r.out.find("--db") != std::string::npos);
}

TEST_CASE("an unknown flag is one line on stderr and exit 2")
{
    auto r = run_smtpprobe({"--no-such-flag"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--no-such-flag") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
