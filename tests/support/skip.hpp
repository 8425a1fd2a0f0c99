// A test that cannot run here (not root, a peer not installed, its chroot not buildable) says
// so to ctest: it prints why and exits with 77, which every test's SKIP_RETURN_CODE reports as
// "Skipped" -- never a silent pass. Each ctest entry runs one doctest case in its own process
// (doctest_discover_tests), so exiting ends only that case. Call it before starting anything
// that needs cleaning up.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

namespace smtpprobe::test {

inline constexpr int k_skip_exit_code = 77;

[[noreturn]] inline void skip_test(const std::string& why)
{
    std::cout << "SKIP: " << why << std::endl;
    std::fflush(nullptr);
    std::_Exit(k_skip_exit_code);
}

} // namespace smtpprobe::test

// SMTPPROBE_SKIP("no promtool: " << path): the reason as a stream expression.
#define SMTPPROBE_SKIP(why_stream)                                                                 \
    do {                                                                                           \
        std::ostringstream smtpprobe_skip_why_;                                                    \
        smtpprobe_skip_why_ << why_stream;                                                         \
        ::smtpprobe::test::skip_test(smtpprobe_skip_why_.str());                                   \
    } while (false)
