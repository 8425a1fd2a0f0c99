// libFuzzer target for Microsoft SNDS CSV feeds: any bytes read as the IP status feed, the
// data feed and by content (quoted fields, headers naming columns, times, percentages), and
// every range checked against an IPv4 and an IPv6 address. Must never crash, hang or read out
// of bounds.
//
// Build: cmake --build build-fuzz --target fuzz_snds_feed (see fuzz_dmarc_report.cpp)
// Run:   build-fuzz/fuzz/fuzz_snds_feed -max_len=16384 CORPUS_DIR
//        (seed it with tests/data/reports/snds).
#include "monitor/ingest/reports/snds_feed.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace smtpprobe::ingest;
    std::string_view csv(reinterpret_cast<const char*>(data), size);
    for (SndsFeedKind kind :
         {SndsFeedKind::ip_status, SndsFeedKind::data, SndsFeedKind::by_content}) {
        SndsFeed feed = parse_snds_feed(csv, kind);
        for (const SndsStatusRow& row : feed.status) {
            (void)ip_in_range("192.0.2.10", row.first_ip, row.last_ip);
            (void)ip_in_range("2001:db8::1", row.first_ip, row.last_ip);
        }
    }
    (void)snds_time_to_iso(csv);
    return 0;
}
