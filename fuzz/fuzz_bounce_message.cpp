// libFuzzer target for the bounce message parser: arbitrary bytes as a message (line endings
// normalised first, as the message source does), parsed and each recipient classified (the
// report format, recipient addresses and the decision model); where the MIME fast path
// (simple_mime) accepts the message, its result must equal GMime's (parse_mime_with_gmime), the
// reference; then the mbox splitter on the same bytes, whole and streamed in chunks (of a size
// taken from the input): both must give the same messages. Must never crash, hang or read out of
// bounds, whatever the input.
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/mbox_splitter.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/bounce/simple_mime.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string raw(reinterpret_cast<const char*>(data), size);
    std::string content = raw;
    smtpprobe::ingest::normalise_line_endings(content);
    if (const auto report = smtpprobe::ingest::parse_bounce(content)) {
        for (const auto& recipient : report->recipients) {
            const auto classified = smtpprobe::ingest::classify_recipient(
                *report, recipient, smtpprobe::classify::Classifier::builtin());
            if (classified.result.reason.empty()) {
                __builtin_trap(); // the decision model always names a reason
            }
        }
    }
    if (const auto simple = smtpprobe::ingest::parse_simple_mime(content)) {
        if (simple != smtpprobe::ingest::parse_mime_with_gmime(content)) {
            __builtin_trap(); // the fast path read the message otherwise than GMime
        }
    }
    (void)smtpprobe::ingest::message_key(content);
    std::vector<std::string> whole;
    smtpprobe::ingest::split_mbox(content, [&](std::string&& message) {
        whole.push_back(std::move(message));
        return true;
    });
    const std::size_t chunk = size == 0 ? 1 : 1 + data[0] % 97;
    std::vector<std::string> streamed;
    smtpprobe::ingest::MboxSplitter splitter(std::string::npos / 2,
                                             [&](std::string& message, bool) {
                                                 streamed.push_back(message);
                                                 return true;
                                             });
    smtpprobe::ingest::LineEndingNormaliser normaliser;
    for (std::size_t pos = 0; pos < raw.size(); pos += chunk) {
        std::string part;
        normaliser.normalise(std::string_view(raw).substr(pos, chunk), part);
        splitter.feed(part);
    }
    splitter.finish();
    if (streamed != whole) {
        __builtin_trap();
    }
    return 0;
}
