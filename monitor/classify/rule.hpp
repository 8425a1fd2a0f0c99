// The rule model of the classifier: one rule is a set of conditions on a reply (reply code,
// enhanced status codes or ranges, case-insensitive substrings and RE2 patterns on the text,
// remote host suffixes) and what a match means (provider, reason, about, provider code,
// scope, meaning, action, source). Rules come from TOML data (rule_loader.hpp); a provider
// hint only names the provider when the host does not.
//
// Contract: every condition group present must hold; inside the text group any substring or
// pattern may match; a rule whose `unless` substrings occur never matches. A rule of one
// provider without a text condition (a provider's status range) applies only when the
// receiver is that provider or unknown. Among matching rules the highest priority wins
// (ties: the rule loaded first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::classify {

// An enhanced status code packed for range tests: class*1'000'000 + subject*1'000 + detail.
// "5.7.606" -> 5'007'606. Subject and detail are limited to three digits (RFC 3463).
using PackedStatus = std::uint32_t;

// Parses exactly "C.S.D" (C 2/4/5, S and D 1-3 digits); nullopt otherwise.
std::optional<PackedStatus> parse_status(std::string_view text);
// Back to text: 5'007'606 -> "5.7.606".
std::string format_status(PackedStatus status);

struct StatusRange {
    PackedStatus low = 0;
    PackedStatus high = 0;
};

struct Rule {
    std::string id;
    std::string provider; // who says this ("microsoft-consumer"); "" when any receiver may
    int priority = 0;
    std::string reason; // Sisimai vocabulary
    std::string about;  // ip | domain | recipient | content | transient | unreachable | tls |
                        // auth | config | none
    std::vector<int> codes;
    std::vector<StatusRange> statuses;
    std::vector<StatusRange> not_statuses; // the rule never matches these statuses
    std::vector<std::string> contains;     // lowercased substrings
    std::vector<std::string> patterns;     // RE2 syntax, matched case-insensitively
    std::vector<std::string> unless;       // lowercased substrings that veto the rule
    std::vector<std::string> hosts;        // lowercased host suffixes
    std::vector<std::string> commands;     // uppercased SMTP commands ("DATA"); any of them
    std::vector<std::string> formats;      // report formats ("qmail", "exim"): the rule reads
                                           // that software's own sentences; any of them
    std::string provider_code;             // may hold "{1}": first capture of a pattern
    std::string scope;                     // "" = the receiver's; may hold "{1}"
    std::string meaning;
    std::string action;
    std::string source;
    std::string file; // where it was loaded from (for errors and explain)

    bool has_text_condition() const { return !contains.empty() || !patterns.empty(); }
};

// Names a provider from the text when no host tells it ("gsmtp" -> google).
struct ProviderHint {
    std::string provider;
    std::vector<std::string> contains; // lowercased substrings
};

// A provider's own code anywhere in the text ("AS(1430)"), reported when the winning rule
// names none: `pattern` has one capture group, `format` holds "{1}".
struct CodeShape {
    std::string pattern;
    std::string format;
};

struct RuleBook {
    std::vector<Rule> rules;
    std::vector<ProviderHint> hints;
    std::vector<CodeShape> codes;
};

} // namespace smtpprobe::classify
