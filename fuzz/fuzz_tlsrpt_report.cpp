// libFuzzer target for SMTP TLS reports (RFC 8460): any bytes through the JSON report parser
// (bounded size and depth) and the findings of the report. Must never crash, hang or read out
// of bounds.
//
// Build: cmake --build build-fuzz --target fuzz_tlsrpt_report (see fuzz_dmarc_report.cpp)
// Run:   build-fuzz/fuzz/fuzz_tlsrpt_report -max_len=65536 CORPUS_DIR
//        (seed it with tests/data/reports/tlsrpt/*.json).
#include "monitor/ingest/reports/tlsrpt_ingest.hpp"
#include "monitor/ingest/reports/tlsrpt_report.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace smtpprobe::ingest;
    TlsParseResult r =
        parse_tlsrpt_report(std::string_view(reinterpret_cast<const char*>(data), size));
    if (r.report) {
        auto findings = tlsrpt_findings(*r.report, "org");
        (void)findings;
    }
    return 0;
}
