// Names of verdicts and source kinds (see verdict.hpp).
#include "monitor/evidence/verdict.hpp"

#include <array>

namespace smtpprobe::evidence {

namespace {

constexpr std::array<std::string_view, 3> k_verdicts = {"unknown", "clear", "blocked"};
constexpr std::array<std::string_view, 8> k_sources = {"probe", "log",  "bounce", "dnsbl",
                                                       "note",  "snds", "dmarc",  "tlsrpt"};

} // namespace

std::string_view name(Verdict verdict)
{
    return k_verdicts[static_cast<std::size_t>(verdict)];
}

std::optional<Verdict> parse_verdict(std::string_view text)
{
    for (std::size_t i = 0; i < k_verdicts.size(); ++i) {
        if (k_verdicts[i] == text) {
            return static_cast<Verdict>(i);
        }
    }
    return std::nullopt;
}

std::string_view name(SourceKind kind)
{
    return k_sources[static_cast<std::size_t>(kind)];
}

std::optional<SourceKind> parse_source_kind(std::string_view text)
{
    for (std::size_t i = 0; i < k_sources.size(); ++i) {
        if (k_sources[i] == text) {
            return static_cast<SourceKind>(i);
        }
    }
    return std::nullopt;
}

} // namespace smtpprobe::evidence
