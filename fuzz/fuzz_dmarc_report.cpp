// libFuzzer target for DMARC aggregate reports: any bytes through the unpacker (gzip, zip and
// mail detection by magic bytes, bounded) and every unpacked document through the libxml2
// report parser and the meaning of the report for one identity. Must never crash, hang, read
// out of bounds, expand entities or touch the network or files.
//
// Build: cmake -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSMTPPROBE_FUZZ=ON
//        -DSMTPPROBE_TESTS=OFF && cmake --build build-fuzz --target fuzz_dmarc_report
// Run:   build-fuzz/fuzz/fuzz_dmarc_report -max_len=65536 CORPUS_DIR
//        (seed it with tests/data/reports/dmarc).
#include "monitor/ingest/reports/dmarc_findings.hpp"
#include "monitor/ingest/reports/dmarc_report.hpp"
#include "monitor/ingest/reports/report_input.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace smtpprobe::ingest;
    std::string_view blob(reinterpret_cast<const char*>(data), size);
    unpack_report_blob(blob, "fuzz", [](ReportDocument& doc) {
        if (!doc.error.empty()) {
            return;
        }
        DmarcParseResult r = parse_dmarc_report(doc.content);
        if (r.report) {
            std::vector<bool> ours;
            for (std::size_t i = 0; i < r.report->records.size(); ++i) {
                ours.push_back(i % 2 == 0);
            }
            DmarcMeaning m = dmarc_meaning(*r.report, ours, "org", "scope");
            (void)m;
        }
    });
    return 0;
}
