// libFuzzer target for the peer-text escapers, one per sink: the terminal's printable(), the
// JSON sink (json_text, append_json_string) and the Prometheus label escaper. Any bytes a
// peer may send, as one string. Never throws, and each sink's contract holds:
//  - terminal: valid UTF-8, no control character (C0, DEL, C1), no bidi override or
//    line/paragraph separator, at most max + 6 bytes;
//  - JSON: parses back, is valid UTF-8 with none of those characters raw, and a string that
//    was valid UTF-8 reads back unchanged (compact, pretty, as a key, written directly);
//  - Prometheus: valid UTF-8, no raw control character or unescaped quote, every backslash
//    starts one of the format's escapes (\\ \" \n), and a short plain value is unchanged.
//
// Build: cmake -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSMTPPROBE_FUZZ=ON
//        -DSMTPPROBE_TESTS=OFF && cmake --build build-fuzz --target fuzz_sink_text
// Run:   build-fuzz/fuzz/fuzz_sink_text -max_len=4096 fuzz/corpus/sink_text
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"
#include "probe/text/utf8.hpp"
#include "web/metrics/metrics.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace {

void require(bool condition)
{
    if (!condition) {
        std::abort();
    }
}

// No C0 (but those allowed), DEL, C1, bidi override or separator anywhere; valid UTF-8.
void require_shown_safely(std::string_view text, std::string_view allowed_c0)
{
    for (std::size_t i = 0; i < text.size();) {
        const smtpprobe::Utf8Char c = smtpprobe::decode_utf8(text, i);
        require(c.length > 0);
        if (smtpprobe::is_display_control(c.code_point)) {
            require(c.code_point < 0x20 &&
                    allowed_c0.find(static_cast<char>(c.code_point)) != std::string_view::npos);
        }
        i += c.length;
    }
}

void check_json(std::string_view input, const std::string& text)
{
    require_shown_safely(text, "\n");
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    require(!parsed.is_discarded());
    (void)input;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const bool valid = smtpprobe::is_valid_utf8(input);

    // Terminal, with a limit taken from the input so the cut is reached.
    const std::size_t max = size == 0 ? 16 : 1 + data[0] % 128;
    const std::string shown = smtpprobe::printable(input, max);
    require_shown_safely(shown, "");
    require(shown.size() <= max + 6);
    require(smtpprobe::printable(input).size() <= 4096 + 6);

    // JSON: a value, a key, pretty-printed, and written directly.
    const nlohmann::json document{{"text", input}, {"k" + input, {1, input}}};
    const std::string compact = smtpprobe::json_text(document);
    check_json(input, compact);
    const std::string pretty = smtpprobe::json_text(document, 2);
    check_json(input, pretty);
    std::string direct;
    smtpprobe::append_json_string(direct, input);
    check_json(input, direct);
    if (valid) {
        const nlohmann::json back = nlohmann::json::parse(compact);
        require(back["text"].get<std::string>() == input);
        require(back.contains("k" + input));
        require(nlohmann::json::parse(pretty) == back);
        require(nlohmann::json::parse(direct).get<std::string>() == input);
    }

    // Prometheus label value.
    const std::string label = smtpprobe::web::escape_label_value(input);
    require_shown_safely(label, "");
    std::string decoded;
    for (std::size_t i = 0; i < label.size(); ++i) {
        require(label[i] != '"');
        if (label[i] == '\\') {
            require(i + 1 < label.size());
            const char next = label[++i];
            require(next == '\\' || next == '"' || next == 'n');
            decoded += next == 'n' ? '\n' : next;
        } else {
            decoded += label[i];
        }
    }
    bool plain = valid && size < 500; // escaped, at most twice as long: never cut
    for (std::size_t i = 0; plain && i < input.size();) {
        const smtpprobe::Utf8Char c = smtpprobe::decode_utf8(input, i);
        plain = !smtpprobe::is_display_control(c.code_point) || c.code_point == '\n';
        i += c.length;
    }
    if (plain) {
        require(decoded == input);
    }
    return 0;
}
