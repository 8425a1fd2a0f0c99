// libFuzzer target for maillog line parsing: any bytes as one line through the per-line
// format detection (syslog classic/ISO, Exim main log, journald JSON), each MTA parser forced,
// and the classifier input built from the record; then the input split at newlines through one
// parser, so the cross-line memory (LogContext: Exim hosts and DSN parents, OpenSMTPD local
// sessions) sees sequences. Must never crash, hang or read out of bounds; records must point
// into the line (or the parser's or context's buffers).
//
// Build: cmake -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSMTPPROBE_FUZZ=ON
//        -DSMTPPROBE_TESTS=OFF && cmake --build build-fuzz --target fuzz_log_line
// Run:   build-fuzz/fuzz/fuzz_log_line -max_len=4096 CORPUS_DIR (seed it with lines of real logs).
#include "monitor/ingest/delivery_classification.hpp"
#include "monitor/ingest/line_parser.hpp"
#include "monitor/ingest/mta_parsers.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace smtpprobe::ingest;
    static TimeZone zone("UTC");
    static TimeParser time(zone, 1795348800);
    std::string_view line(reinterpret_cast<const char*>(data), size);
    for (LogFormat format : {LogFormat::automatic, LogFormat::sendmail, LogFormat::postfix,
                             LogFormat::exim, LogFormat::opensmtpd}) {
        LineParser parser(time, format);
        LogRecord record;
        if (parser.parse(line, record) == RecordKind::delivery) {
            smtpprobe::classify::Input input = classifier_input(record);
            (void)input;
        }
    }
    LogRecord record;
    parse_sendmail(line, record);
    record.clear();
    parse_postfix("smtp", line, record);
    record.clear();
    parse_postfix("qmgr", line, record);
    record.clear();
    parse_exim(line, record);
    record.clear();
    parse_opensmtpd(line, record);

    LineParser sequence(time);
    std::string_view rest = line;
    while (!rest.empty()) {
        std::size_t nl = rest.find('\n');
        std::string_view one = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        LogRecord r;
        if (sequence.parse(one, r) == RecordKind::delivery) {
            (void)classifier_input(r);
        }
    }
    return 0;
}
