// The typed vocabulary of the evidence stream: what one piece of evidence says about a sending
// IP at a receiver scope (Verdict) and where it came from (SourceKind). The database stores
// their names; every layer compares the enums, never the strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace smtpprobe::evidence {

// blocked: the receiver refuses our IP or domain (opens an episode); clear: it accepted us
// (closes one); unknown: it says nothing either way (neither counts nor breaks a run).
enum class Verdict : std::uint8_t { unknown, clear, blocked };

// The stored name: "unknown", "clear", "blocked".
std::string_view name(Verdict verdict);
// The enum of a stored name; nullopt for anything else.
std::optional<Verdict> parse_verdict(std::string_view text);

// Where a piece of evidence comes from; its row id lives in that source's table.
enum class SourceKind : std::uint8_t { probe, log, bounce, dnsbl, note, snds, dmarc, tlsrpt };

// The stored name: "probe", "log", "bounce", "dnsbl", "note", "snds", "dmarc", "tlsrpt".
std::string_view name(SourceKind kind);
std::optional<SourceKind> parse_source_kind(std::string_view text);

} // namespace smtpprobe::evidence
