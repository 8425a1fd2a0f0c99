// Compiling a rule book into a RuleMatcher: rules in priority order, every substring, veto,
// hint and pattern atom as a literal of one LiteralScanner, the patterns in one FilteredRE2
// with their guards, and the status gates. See rule_matcher.hpp.
#include "monitor/classify/classifier.hpp"
#include "monitor/classify/pattern_guards.hpp"
#include "monitor/classify/rule_matcher.hpp"

#include <algorithm>
#include <array>
#include <numeric>

namespace smtpprobe::classify {

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

    // Atoms shorter than three bytes would match almost everywhere: such patterns always run.
    constexpr int k_min_atom = 3;
    m_filter = std::make_unique<re2::FilteredRE2>(k_min_atom);
    std::vector<std::string> patterns; // by FilteredRE2 pattern id
    auto add_pattern = [&](const std::string& pattern, const std::string& id) {
        int regex_id = 0;
        if (m_filter->Add(pattern, matcher_options(), &regex_id) != re2::RE2::NoError) {
            throw RuleError("rule '" + id + "': cannot compile pattern '" + pattern + "'");
        }
        patterns.push_back(pattern);
        return regex_id;
    };
    std::vector<std::vector<Entry>> literal_entries; // literal id -> what it stands for
    auto add_literal = [&](const std::string& literal, EntryKind kind, std::size_t index) {
        // Pattern atoms may sit inside a word; phrases start at a word boundary.
        const std::uint32_t id = m_literals.add(literal, kind != EntryKind::atom);
        if (id >= literal_entries.size()) {
            literal_entries.resize(id + 1);
        }
        literal_entries[id].push_back({kind, index});
        return id;
    };
    m_captures.resize(m_rules.size());
    m_rule_regex.assign(m_rules.size(), -1);
    m_textless_bits.assign((m_rules.size() + 63) / 64, 0);
    for (std::size_t i = 0; i < m_rules.size(); ++i) {
        const Rule& rule = m_rules[i];
        for (const std::string& literal : rule.contains) {
            add_literal(literal, EntryKind::rule_text, i);
        }
        if (!rule.patterns.empty()) {
            std::string alternation;
            for (const std::string& pattern : rule.patterns) {
                alternation += (alternation.empty() ? "(?:" : "|(?:") + pattern + ")";
            }
            m_rule_regex[i] = add_pattern(alternation, rule.id);
        }
        StatusGate gate;
        gate.needs_status = !rule.statuses.empty();
        for (const StatusRange& range : rule.statuses) {
            gate.low = std::min(gate.low, range.low);
            gate.high = std::max(gate.high, range.high);
        }
        m_gates.push_back(gate);
        if (!rule.has_text_condition()) {
            m_textless_bits[i >> 6] |= std::uint64_t{1} << (i & 63);
        }
        for (const std::string& literal : rule.unless) {
            add_literal(literal, EntryKind::rule_unless, i);
        }
        if (rule.provider_code.find("{1}") != std::string::npos ||
            rule.scope.find("{1}") != std::string::npos) {
            for (const std::string& pattern : rule.patterns) {
                m_captures[i].push_back(std::make_unique<re2::RE2>(pattern, matcher_options()));
            }
        }
    }
    for (std::size_t i = 0; i < m_hints.size(); ++i) {
        for (const std::string& literal : m_hints[i].contains) {
            add_literal(literal, EntryKind::hint, i);
        }
    }
    for (std::size_t i = 0; i < book.codes.size(); ++i) {
        m_code_regex.push_back(add_pattern(book.codes[i].pattern, "code " + book.codes[i].format));
        m_code_formats.push_back(book.codes[i].format);
    }
    // The SMTP command markers: find_command() only runs when one occurs.
    add_literal("in reply to ", EntryKind::command_marker, 0);
    add_literal(">>> ", EntryKind::command_marker, 0);
    m_has_patterns = m_filter->NumRegexps() > 0;
    m_guard_always_bits.assign(m_textless_bits.size(), 0);
    m_code_guard_always_bits.assign((m_code_regex.size() + 63) / 64, 0);
    if (m_has_patterns) {
        std::vector<std::string> atoms;
        m_filter->Compile(&atoms);
        std::vector<std::uint32_t> atom_literal;
        for (std::size_t i = 0; i < atoms.size(); ++i) {
            atom_literal.push_back(add_literal(atoms[i], EntryKind::atom, i));
        }
        std::vector<int> unfiltered;
        m_filter->AllPotentials({}, &unfiltered);
        m_has_unfiltered = !unfiltered.empty();
        // A guard atom of a pattern makes its rule (or code shape) a candidate.
        const std::vector<PatternGuard> guards =
            pattern_guards(*m_filter, atoms, patterns, matcher_options(), k_min_atom);
        auto guard = [&](int regex_id, EntryKind kind, std::size_t index) {
            const PatternGuard& g = guards[static_cast<std::size_t>(regex_id)];
            for (const int atom : g.atoms) {
                literal_entries[atom_literal[static_cast<std::size_t>(atom)]].push_back(
                    {kind, index});
            }
            return g.always;
        };
        for (std::size_t i = 0; i < m_rules.size(); ++i) {
            if (m_rule_regex[i] >= 0 && guard(m_rule_regex[i], EntryKind::rule_guard, i)) {
                m_guard_always_bits[i >> 6] |= std::uint64_t{1} << (i & 63);
            }
        }
        for (std::size_t i = 0; i < m_code_regex.size(); ++i) {
            if (guard(m_code_regex[i], EntryKind::code_guard, i)) {
                m_code_guard_always_bits[i >> 6] |= std::uint64_t{1} << (i & 63);
            }
        }
    }
    // The gate masks (see status_bucket()).
    const std::size_t gate_words = m_textless_bits.size();
    m_status_allowed.assign((1 + 3 * k_subject_buckets) * gate_words, 0);
    for (std::size_t bucket = 0; bucket < 1 + 3 * k_subject_buckets; ++bucket) {
        const PackedStatus klass =
            bucket == 0 ? 0
                        : std::array<PackedStatus, 3>{2, 4, 5}[(bucket - 1) / k_subject_buckets];
        const PackedStatus low =
            klass * 1'000'000 + (bucket == 0 ? 0 : (bucket - 1) % k_subject_buckets) * 1'000;
        const PackedStatus high = low + 999;
        for (std::size_t i = 0; i < m_gates.size(); ++i) {
            const StatusGate& gate = m_gates[i];
            const bool allowed =
                !gate.needs_status || (bucket != 0 && gate.low <= high && gate.high >= low);
            if (allowed) {
                m_status_allowed[bucket * gate_words + (i >> 6)] |= std::uint64_t{1} << (i & 63);
            }
        }
    }
    m_literals.build();
    // One array for the scan: literal id's entries at [m_entry_begin[id], m_entry_begin[id + 1]).
    // The kinds that set a bit become one kind, `bit`, whose index is the bit's position in
    // match()'s buffer of bit sets: candidates, guarded, vetoed (a word count each), then the
    // guarded code shapes. The scan then tests one predictable branch instead of a switch.
    const std::size_t words = m_textless_bits.size();
    auto as_bit = [&](Entry entry) {
        std::size_t first_word = 0;
        switch (entry.kind) {
        case EntryKind::rule_text:
            first_word = 0;
            break;
        case EntryKind::rule_guard:
            first_word = words;
            break;
        case EntryKind::rule_unless:
            first_word = 2 * words;
            break;
        case EntryKind::code_guard:
            first_word = 3 * words;
            break;
        default:
            return entry;
        }
        return Entry{EntryKind::bit, first_word * 64 + entry.index};
    };
    m_entry_begin.push_back(0);
    for (const std::vector<Entry>& entries : literal_entries) {
        for (const Entry& entry : entries) {
            m_literal_entries.push_back(as_bit(entry));
        }
        m_entry_begin.push_back(static_cast<std::uint32_t>(m_literal_entries.size()));
    }
}

} // namespace smtpprobe::classify
