// libFuzzer target for the classifier: hostile bytes as reply text, enhanced status, host and
// command (split at the first three NUL bytes), plus the same bytes as a user rule file. The
// classifier must never crash, hang or read out of bounds; every result field it fills must
// be consistent (a rule id comes with a meaning, a status parses back).
#include "monitor/classify/classifier.hpp"
#include "monitor/classify/rule_loader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace smtpprobe::classify;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    std::string_view fields[4];
    std::string_view rest = bytes;
    for (int i = 0; i < 3; ++i) {
        const auto nul = rest.find('\0');
        if (nul == std::string_view::npos) {
            break;
        }
        fields[i + 1] = rest.substr(0, nul);
        rest.remove_prefix(nul + 1);
    }
    fields[0] = rest;
    Input input;
    input.text = fields[0];
    input.enhanced = fields[1];
    input.remote_host = fields[2];
    input.command = fields[3];
    if (size > 0 && data[0] == '5') {
        input.reply_code = 550;
    }
    const Result result = Classifier::builtin().classify(input);
    if (!result.rule_id.empty() && (result.meaning.empty() || result.reason.empty())) {
        std::abort();
    }
    if (result.about.empty() || result.reason.empty()) {
        std::abort();
    }
    (void)receiver_for_host(bytes);
    // The same bytes as a rule file: either a RuleBook or a RuleError, nothing else.
    try {
        (void)parse_rule_file(bytes, "fuzz.toml", k_user_priority);
    } catch (const RuleError&) {
    }
    return 0;
}
