// libFuzzer target for the SMTP reply parser: any bytes a server may send, fed in pieces whose
// sizes come from the input itself (a reply split anywhere across reads), with small limits
// so the limit paths are reached. Must never crash or hang, and the memory contract of
// reply_parser.hpp must hold: every kept line within max_line_bytes, at most max_reply_lines
// lines kept, every reply consuming at least one byte.
//
// Build: cmake -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DSMTPPROBE_FUZZ=ON
//        -DSMTPPROBE_TESTS=OFF && cmake --build build-fuzz --target fuzz_reply_parser
// Run:   build-fuzz/fuzz/fuzz_reply_parser -max_len=65536 fuzz/corpus/reply_parser
#include "probe/reply_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using smtpprobe::probe::PeerLimits;
    using smtpprobe::probe::ReplyParser;
    if (size < 1) {
        return 0;
    }
    const std::size_t piece = 1 + data[0] % 64; // read size of the simulated socket
    PeerLimits limits;
    limits.max_line_bytes = 64;
    limits.max_reply_lines = 8;
    limits.max_reply_bytes = 1024;
    ReplyParser parser(limits);
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    while (!rest.empty()) {
        std::string_view chunk = rest.substr(0, piece);
        while (!chunk.empty()) {
            const std::size_t used = parser.feed(chunk);
            if (used > chunk.size()) {
                std::abort(); // consumed more than it was given
            }
            if (parser.state() == ReplyParser::State::incomplete && used != chunk.size()) {
                std::abort(); // an unfinished reply must take all it is given
            }
            chunk.remove_prefix(used);
            rest.remove_prefix(used);
            if (parser.state() != ReplyParser::State::incomplete) {
                const auto outcome = parser.take();
                if (outcome.ok) {
                    if (outcome.reply.lines.size() > limits.max_reply_lines) {
                        std::abort();
                    }
                    for (const auto& line : outcome.reply.lines) {
                        if (line.size() > limits.max_line_bytes) {
                            std::abort();
                        }
                    }
                }
            } else if (used == 0) {
                break;
            }
        }
    }
    parser.end_of_stream();
    if (parser.state() != ReplyParser::State::incomplete) {
        (void)parser.take();
    }
    return 0;
}
