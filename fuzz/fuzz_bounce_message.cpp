// libFuzzer target for the bounce message parser: arbitrary bytes as a message (line endings
// normalised first, as the message source does), then the mbox splitter on the same bytes.
// Must never crash, hang or read out of bounds, whatever the input.
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/message_source.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string content(reinterpret_cast<const char*>(data), size);
    smtpprobe::ingest::normalise_line_endings(content);
    (void)smtpprobe::ingest::parse_bounce(content);
    (void)smtpprobe::ingest::message_key(content);
    smtpprobe::ingest::split_mbox(
        content, [](std::string&& message) { return message.size() < 1024 * 1024; });
    return 0;
}
