// The compiled rule book: finds the highest-priority rule that matches a reply. Every
// substring condition of every rule (and every provider hint and `unless` veto) is a literal
// of one LiteralScanner (a prefix-indexed multi-literal matcher), and so are the atoms (required
// substrings) RE2's FilteredRE2 derives from every RE2 pattern. One pass of the scanner over the
// normalized text is the prefilter: it yields the candidate rules directly. Candidates (plus rules
// without a text condition, and rules whose pattern's atoms occurred) are checked in priority order
// against code, status, command and host; a pattern runs only when its rule is reached that way
// and its other conditions hold, so most texts run one RE2 match or none.
//
// Contract: linear time in the text, no backtracking, safe on hostile bytes (Latin-1, case
// folded). Thread-safe after construction (RE2 objects are const-safe).
#pragma once

#include "monitor/classify/literal_scanner.hpp"
#include "monitor/classify/rule.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::classify {

// The RE2 options every rule pattern is compiled with (Latin-1, case-insensitive, quiet).
re2::RE2::Options matcher_options();

// What a reply looks like to the matcher: text already normalized (lowercase, one space for
// each run of white space), host lowercased without a trailing dot.
struct MatchInput {
    std::string_view text;
    std::optional<int> reply_code;
    std::optional<PackedStatus> status;
    std::string_view host;
    std::string_view command;           // uppercased SMTP command; "" = read it from the text
    std::string_view receiver_provider; // from the host: "" none given, "other" unrecognized
    std::string_view format;            // the report format ("qmail"), "" when not a report
};

struct Match {
    const Rule* rule = nullptr; // the winner, nullptr when none matched
    std::string capture;        // first capture group of the winner's pattern, if it wants one
    std::string_view hinted_provider; // provider named by a hint in the text, "" if none
                                      // (points into the matcher's hints)
    std::string code_in_text;         // a provider code shape found in the text ("AS(1430)"),
                                      // looked for only when the winner names no code
    std::string_view command;         // the command used for `command` conditions ("" unknown)
};

class RuleMatcher {
public:
    // Compiles the book; throws RuleError if the combined set cannot be built.
    explicit RuleMatcher(RuleBook book);
    ~RuleMatcher();
    RuleMatcher(RuleMatcher&&) noexcept;

    Match match(const MatchInput& input) const;

    std::size_t rule_count() const { return m_rules.size(); }
    const std::vector<Rule>& rules() const { return m_rules; }

private:
    bool other_conditions_hold(const Rule& rule, const MatchInput& input, std::string_view command,
                               std::string_view hinted_provider) const;
    std::string capture_for(std::size_t index, std::string_view text) const;

    std::vector<Rule> m_rules; // sorted by priority, highest first
    std::vector<ProviderHint> m_hints;
    std::vector<std::string> m_code_formats;
    std::unique_ptr<re2::FilteredRE2> m_filter;     // every pattern; atoms feed m_literals
    bool m_has_patterns = false;                    // m_filter holds at least one pattern
    bool m_has_unfiltered = false;                  // some pattern has no atom (runs on every text)
    std::vector<int> m_rule_regex;                  // per rule: its FilteredRE2 pattern id, or -1
    std::vector<int> m_code_regex;                  // per code shape: its FilteredRE2 pattern id
    std::vector<std::uint64_t> m_guard_always_bits; // rules whose pattern has no guard atom
    std::vector<std::uint64_t> m_code_guard_always_bits; // code shapes without a guard atom
    // Literal -> what it stands for.
    enum class EntryKind {
        rule_text,   // a rule's substring
        rule_unless, // a rule's veto
        hint,        // a provider hint
        atom,        // a FilteredRE2 atom
        rule_guard,  // a guard atom of a rule's pattern (see pattern_guards.hpp)
        code_guard,  // a guard atom of a code shape's pattern
        command_marker,
        bit // one of the four above: sets the bit `index` of match()'s bit sets
    };
    struct Entry {
        EntryKind kind;
        std::size_t index;
    };
    LiteralScanner m_literals;                // every substring condition
    std::vector<Entry> m_literal_entries;     // what each literal stands for, by literal id
    std::vector<std::uint32_t> m_entry_begin; // literal id -> its first entry (id + 1: end)
    // Per rule: the span of its statuses (a rule with statuses cannot match outside it).
    struct StatusGate {
        bool needs_status = false;
        PackedStatus low = ~PackedStatus{0};
        PackedStatus high = 0;
    };
    std::vector<StatusGate> m_gates;
    // The rules whose gate may let a status through, per status bucket (bit per rule, a word
    // count per bucket): bucket 0 is "no status", then class 2, 4, 5 by subject 0 to 9; a status
    // of another subject uses no mask. Only a prefilter: the gate is still checked.
    static constexpr std::size_t k_subject_buckets = 10;
    static std::size_t status_bucket(std::optional<PackedStatus> status);
    std::vector<std::uint64_t> m_status_allowed;
    std::vector<std::uint64_t> m_textless_bits; // rules without a text condition, bit per rule
    std::vector<std::vector<std::unique_ptr<re2::RE2>>> m_captures; // per rule, if it needs {1}
};

} // namespace smtpprobe::classify
