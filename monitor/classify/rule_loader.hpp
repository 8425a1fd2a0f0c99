// Reads rule data: the embedded default rule files (monitor/classify/rules/*.toml, compiled
// into the binary) and an optional user file that adds rules or overrides them by id.
//
// Contract: a file is TOML (or JSON of the same shape) with [[rule]] tables (and [[hint]] tables
// naming a provider from text). Anything wrong (syntax, unknown field, wrong type, unknown reason,
// bad status or RE2 pattern, a rule without any condition, a duplicate id inside one file) throws
// RuleError with one line naming the file, the rule id and the field.
#pragma once

#include "monitor/classify/rule.hpp"

#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace smtpprobe::classify {

// A rule without `priority` gets this one in the embedded files; a user file's rules default
// to k_user_priority so that the user's own knowledge wins unless they say otherwise.
inline constexpr int k_default_priority = 500;
inline constexpr int k_user_priority = 1500;

// Parses the text of one rule file; `file` names it in errors.
RuleBook parse_rule_file(std::string_view text, const std::string& file,
                         int default_priority = k_default_priority);

// Adds `overlay` to `base`: a rule whose id exists replaces it in place, others are appended;
// hints are appended.
void merge_rule_books(RuleBook& base, RuleBook overlay);

// The embedded default rules, parsed and merged in file-name order.
RuleBook load_embedded_rule_book();

// Whether `reason` is in the vocabulary (Sisimai's reasons plus ours).
bool is_known_reason(std::string_view reason);

} // namespace smtpprobe::classify
