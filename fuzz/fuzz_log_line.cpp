// libFuzzer target for maillog line parsing: any bytes as one line through the per-line
// format detection (syslog classic/ISO, Exim main log, journald JSON), each MTA parser forced,
// and the classifier input built from the record. Must never crash, hang or read out of
// bounds; records must point into the line (or the parser's JSON buffer).
//
// Build with the project (cmake -DSMTPPROBE_FUZZ=ON, clang), or alone when the rest of the
// tree does not build under clang (Boost 1.74 awaitable needs coroutine support clang 14
// does not announce): from the source root, after a normal build (for embedded_rules.cpp),
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -include utility -I. \
//     -Ibuild fuzz/fuzz_log_line.cpp monitor/ingest/{line_parser,sendmail_parser,
//     postfix_parser,exim_parser,log_time,delivery_classification}.cpp monitor/classify/*.cpp
//     build/monitor/embedded_rules.cpp -lre2 -o fuzz_log_line
// then ./fuzz_log_line -max_len=4096 CORPUS_DIR (seed it with lines of real logs).
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
    for (LogFormat format :
         {LogFormat::automatic, LogFormat::sendmail, LogFormat::postfix, LogFormat::exim}) {
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
    return 0;
}
