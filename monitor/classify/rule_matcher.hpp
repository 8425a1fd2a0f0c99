// The compiled rule book: finds the highest-priority rule that matches a reply in one pass
// over the text. Every text condition of every rule (substrings quoted, RE2 patterns as
// written) and every provider hint is one entry of a single RE2::Set; one DFA scan of the
// normalized text yields the candidate rules, and only those (plus rules without a text
// condition) are checked, in priority order, against code, status and host.
//
// Contract: linear time in the text, no backtracking, safe on hostile bytes (Latin-1, case
// folded). Thread-safe after construction (RE2 objects are const-safe).
#pragma once

#include "monitor/classify/rule.hpp"

#include <memory>
#include <optional>
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
};

struct Match {
    const Rule* rule = nullptr;  // the winner, nullptr when none matched
    std::string capture;         // first capture group of the winner's pattern, if it wants one
    std::string hinted_provider; // provider named by a hint in the text, "" if none
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
    bool other_conditions_hold(const Rule& rule, const MatchInput& input) const;
    std::string capture_for(std::size_t index, std::string_view text) const;

    std::vector<Rule> m_rules; // sorted by priority, highest first
    std::vector<ProviderHint> m_hints;
    std::unique_ptr<re2::RE2::Set> m_set;
    // Set entry -> what it stands for.
    enum class EntryKind { rule_text, rule_unless, hint };
    struct Entry {
        EntryKind kind;
        std::size_t index;
    };
    std::vector<Entry> m_entries;
    std::vector<std::size_t> m_textless; // rules without a text condition, priority order
    std::vector<std::vector<std::unique_ptr<re2::RE2>>> m_captures; // per rule, if it needs {1}
};

} // namespace smtpprobe::classify
