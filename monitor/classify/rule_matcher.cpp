// One RE2::Set over all rule text conditions, then priority-ordered checks of the candidates.
// See rule_matcher.hpp.
#include "monitor/classify/rule_matcher.hpp"

#include "monitor/classify/classifier.hpp"

#include <algorithm>
#include <numeric>
#include <re2/set.h>

namespace smtpprobe::classify {
namespace {

std::string join_alternatives(const Rule& rule)
{
    std::string out = "(?:";
    bool first = true;
    for (const std::string& literal : rule.contains) {
        out += first ? "" : "|";
        out += re2::RE2::QuoteMeta(literal);
        first = false;
    }
    for (const std::string& pattern : rule.patterns) {
        out += first ? "(?:" : "|(?:";
        out += pattern;
        out += ")";
        first = false;
    }
    out += ")";
    return out;
}

std::string join_literals(const std::vector<std::string>& literals)
{
    std::string out = "(?:";
    for (std::size_t i = 0; i < literals.size(); ++i) {
        out += i == 0 ? "" : "|";
        out += re2::RE2::QuoteMeta(literals[i]);
    }
    out += ")";
    return out;
}

bool host_has_suffix(std::string_view host, std::string_view suffix)
{
    if (!suffix.empty() && suffix.front() == '.') {
        suffix.remove_prefix(1);
    }
    if (host == suffix) {
        return true;
    }
    return host.size() > suffix.size() && host.ends_with(suffix) &&
           host[host.size() - suffix.size() - 1] == '.';
}

} // namespace

re2::RE2::Options matcher_options()
{
    re2::RE2::Options options;
    options.set_encoding(re2::RE2::Options::EncodingLatin1);
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    options.set_max_mem(64 << 20);
    return options;
}

RuleMatcher::RuleMatcher(RuleBook book) : m_hints(std::move(book.hints))
{
    // Highest priority first; stable so that ties keep load order.
    std::vector<std::size_t> order(book.rules.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return book.rules[a].priority > book.rules[b].priority;
    });
    m_rules.reserve(order.size());
    for (std::size_t index : order) {
        m_rules.push_back(std::move(book.rules[index]));
    }

    m_set = std::make_unique<re2::RE2::Set>(matcher_options(), re2::RE2::UNANCHORED);
    auto add = [&](const std::string& pattern, EntryKind kind, std::size_t index,
                   const std::string& id) {
        std::string error;
        if (m_set->Add(pattern, &error) < 0) {
            throw RuleError("rule '" + id + "': cannot compile: " + error);
        }
        m_entries.push_back({kind, index});
    };
    m_captures.resize(m_rules.size());
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        const Rule& rule = m_rules[i];
        if (rule.has_text_condition()) {
            add(join_alternatives(rule), EntryKind::rule_text, i, rule.id);
        } else {
            m_textless.push_back(i);
        }
        if (!rule.unless.empty()) {
            add(join_literals(rule.unless), EntryKind::rule_unless, i, rule.id);
        }
        if (rule.provider_code.find("{1}") != std::string::npos ||
            rule.scope.find("{1}") != std::string::npos) {
            for (const std::string& pattern : rule.patterns) {
                m_captures[i].push_back(std::make_unique<re2::RE2>(pattern, matcher_options()));
            }
        }
    }
    for (std::size_t i = 0; i < m_hints.size(); ++i) {
        add(join_literals(m_hints[i].contains), EntryKind::hint, i,
            "hint for " + m_hints[i].provider);
    }
    if (!m_entries.empty() && !m_set->Compile()) {
        throw RuleError("rules: the combined pattern set is too large to compile");
    }
}

RuleMatcher::~RuleMatcher() = default;
RuleMatcher::RuleMatcher(RuleMatcher&&) noexcept = default;

bool RuleMatcher::other_conditions_hold(const Rule& rule, const MatchInput& input) const
{
    if (!rule.codes.empty()) {
        if (!input.reply_code || std::find(rule.codes.begin(), rule.codes.end(),
                                           *input.reply_code) == rule.codes.end()) {
            return false;
        }
    }
    if (!rule.statuses.empty()) {
        if (!input.status) {
            return false;
        }
        const PackedStatus status = *input.status;
        if (std::none_of(rule.statuses.begin(), rule.statuses.end(), [&](const StatusRange& r) {
                return status >= r.low && status <= r.high;
            })) {
            return false;
        }
    }
    if (!rule.hosts.empty()) {
        if (input.host.empty() ||
            std::none_of(rule.hosts.begin(), rule.hosts.end(), [&](const std::string& suffix) {
                return host_has_suffix(input.host, suffix);
            })) {
            return false;
        }
    }
    return true;
}

std::string RuleMatcher::capture_for(std::size_t index, std::string_view text) const
{
    for (const auto& pattern : m_captures[index]) {
        std::string captured;
        if (pattern->NumberOfCapturingGroups() > 0 &&
            re2::RE2::PartialMatch(text, *pattern, &captured)) {
            return captured;
        }
    }
    return {};
}

Match RuleMatcher::match(const MatchInput& input) const
{
    Match result;
    // Candidates from the one scan; kept small, reused per thread to avoid allocation.
    thread_local std::vector<int> hits;
    thread_local std::vector<std::size_t> candidates;
    thread_local std::vector<std::size_t> vetoed;
    hits.clear();
    candidates.clear();
    vetoed.clear();
    if (!m_entries.empty() && !input.text.empty()) {
        m_set->Match(input.text, &hits);
    }
    std::size_t first_hint = m_hints.size();
    for (int hit : hits) {
        const Entry& entry = m_entries[static_cast<std::size_t>(hit)];
        switch (entry.kind) {
        case EntryKind::rule_text:
            candidates.push_back(entry.index);
            break;
        case EntryKind::rule_unless:
            vetoed.push_back(entry.index);
            break;
        case EntryKind::hint:
            first_hint = std::min(first_hint, entry.index);
            break;
        }
    }
    if (first_hint < m_hints.size()) {
        result.hinted_provider = m_hints[first_hint].provider;
    }
    std::sort(candidates.begin(), candidates.end());
    // Walk the text candidates and the text-less rules together, in priority order.
    auto text_it = candidates.begin();
    auto bare_it = m_textless.begin();
    while (text_it != candidates.end() || bare_it != m_textless.end()) {
        std::size_t index = 0;
        if (bare_it == m_textless.end() || (text_it != candidates.end() && *text_it < *bare_it)) {
            index = *text_it++;
        } else {
            index = *bare_it++;
        }
        const Rule& rule = m_rules[index];
        if (std::find(vetoed.begin(), vetoed.end(), index) != vetoed.end()) {
            continue;
        }
        if (other_conditions_hold(rule, input)) {
            result.rule = &rule;
            if (!m_captures[index].empty()) {
                result.capture = capture_for(index, input.text);
            }
            break;
        }
    }
    return result;
}

} // namespace smtpprobe::classify
