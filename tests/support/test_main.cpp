// The one doctest main shared by every test executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

// Under AddressSanitizer the freed-memory quarantine (256 MB by default) would count in the
// tests that bound the process's peak memory (hostile peers): keep it small in test runs.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMTPPROBE_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SMTPPROBE_TEST_ASAN 1
#endif
#ifdef SMTPPROBE_TEST_ASAN
extern "C" const char* __asan_default_options();
extern "C" const char* __asan_default_options()
{
    return "quarantine_size_mb=4";
}
#endif
