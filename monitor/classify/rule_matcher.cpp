// One LiteralScanner pass (substrings and pattern atoms), the FilteredRE2 patterns whose atoms
// occurred, then priority-ordered checks of the candidates. See rule_matcher.hpp.
#include "monitor/classify/rule_matcher.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/classify/pattern_guards.hpp"
#include "monitor/classify/reply_facts.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

namespace smtpprobe::classify {
namespace {

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

// "microsoft-365" and "microsoft-consumer" are one family; "google" is its own.
std::string_view provider_family(std::string_view provider)
{
    return provider.substr(0, provider.find('-'));
}

// Whether the classifier's provider code would be empty for this winner (then it reports a
// code shape found in the text): no rule, no code, or a bare "{1}" that captured nothing.
bool names_no_code(const Rule* rule, std::string_view capture)
{
    return rule == nullptr || rule->provider_code.empty() ||
           (rule->provider_code == "{1}" && capture.empty());
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

RuleMatcher::~RuleMatcher() = default;
RuleMatcher::RuleMatcher(RuleMatcher&&) noexcept = default;

bool RuleMatcher::other_conditions_hold(const Rule& rule, const MatchInput& input,
                                        std::string_view command,
                                        std::string_view hinted_provider) const
{
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
    if (!rule.commands.empty() &&
        std::find(rule.commands.begin(), rule.commands.end(), command) == rule.commands.end()) {
        return false;
    }
    if (!rule.codes.empty()) {
        if (!input.reply_code || std::find(rule.codes.begin(), rule.codes.end(),
                                           *input.reply_code) == rule.codes.end()) {
            return false;
        }
    }
    if (input.status &&
        std::any_of(rule.not_statuses.begin(), rule.not_statuses.end(), [&](const StatusRange& r) {
            return *input.status >= r.low && *input.status <= r.high;
        })) {
        return false;
    }
    // (Checked after the cheap integer tests.) A provider's bare status range (Gmail's 5.7.27 is
    // not RFC 7505's 5.7.27) only speaks for that provider: skip it when the host or the text names
    // another receiver.
    if (!rule.provider.empty() && !rule.has_text_condition()) {
        const std::string_view receiver =
            !input.receiver_provider.empty() ? input.receiver_provider : hinted_provider;
        if (!receiver.empty() && provider_family(receiver) != provider_family(rule.provider)) {
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
    // Reused per thread to avoid allocation. The candidate rules are bit sets in priority
    // order: the text-less rules plus the rules whose substring occurred (`candidates`), the
    // rules whose pattern may match because one of its guard atoms occurred (`guarded`), minus
    // the vetoed ones. A guarded rule's pattern runs only when the rule is reached and its
    // other conditions hold, after FilteredRE2 let it through: RE2 is the costly part.
    thread_local std::vector<int> atom_hits;
    thread_local std::vector<int> potentials;
    thread_local std::vector<std::uint64_t> bit_sets; // the four sets below, one allocation
    const bool has_text = !input.text.empty();
    const std::size_t words = m_textless_bits.size();
    const std::size_t code_words = m_code_guard_always_bits.size();
    bit_sets.resize(3 * words + code_words);
    std::uint64_t* const candidates = bit_sets.data();
    std::uint64_t* const guarded = candidates + words;
    std::uint64_t* const vetoed = guarded + words;
    std::uint64_t* const guarded_codes = vetoed + words; // code shapes, same meaning
    std::copy(m_textless_bits.begin(), m_textless_bits.end(), candidates);
    if (has_text) {
        std::copy(m_guard_always_bits.begin(), m_guard_always_bits.end(), guarded);
        std::copy(m_code_guard_always_bits.begin(), m_code_guard_always_bits.end(), guarded_codes);
    } else {
        std::fill(guarded, guarded + words, 0);
        std::fill(guarded_codes, guarded_codes + code_words, 0);
    }
    std::fill(vetoed, vetoed + words, 0);
    atom_hits.clear();
    std::size_t first_hint = m_hints.size();
    bool command_marker = false;
    // A literal that occurs twice dispatches twice: every kind is idempotent except the atom
    // list, which is deduplicated below.
    auto dispatch = [&](const Entry& entry) __attribute__((always_inline))
    {
        if (entry.kind == EntryKind::bit) [[likely]] {
            candidates[entry.index >> 6] |= std::uint64_t{1} << (entry.index & 63);
            return;
        }
        switch (entry.kind) {
        case EntryKind::hint:
            first_hint = std::min(first_hint, entry.index);
            break;
        case EntryKind::atom:
            atom_hits.push_back(static_cast<int>(entry.index));
            break;
        case EntryKind::command_marker:
            command_marker = true;
            break;
        default: // the bit kinds, turned into `bit` at construction
            break;
        }
    };
    if (has_text) {
        m_literals.scan(
            input.text, [&](std::uint32_t id) __attribute__((always_inline)) {
                for (std::uint32_t i = m_entry_begin[id]; i < m_entry_begin[id + 1]; ++i) {
                    dispatch(m_literal_entries[i]);
                }
            });
    }
    // Whether FilteredRE2 lets pattern `id` through (AllPotentials once per text, on demand:
    // without an atom only the patterns that have none could pass).
    bool potentials_known = false;
    auto potential = [&](int id) {
        if (!potentials_known) {
            potentials_known = true;
            potentials.clear();
            if (m_has_patterns && has_text && (!atom_hits.empty() || m_has_unfiltered)) {
                std::sort(atom_hits.begin(), atom_hits.end());
                atom_hits.erase(std::unique(atom_hits.begin(), atom_hits.end()), atom_hits.end());
                m_filter->AllPotentials(atom_hits, &potentials);
            }
        }
        return std::binary_search(potentials.begin(), potentials.end(), id);
    };
    if (first_hint < m_hints.size()) {
        result.hinted_provider = m_hints[first_hint].provider;
    }
    // The command the reply answered: given, or read from the text when a marker occurred.
    const std::string_view command =
        !input.command.empty() ? input.command
                               : (command_marker ? find_command(input.text) : std::string_view());
    result.command = command;
    // The candidates in priority order (bit order is rule order).
    for (std::size_t word = 0; word < words && result.rule == nullptr; ++word) {
        const std::uint64_t by_text = candidates[word];
        std::uint64_t bits = (by_text | guarded[word]) & ~vetoed[word];
        while (bits != 0) {
            const unsigned bit = static_cast<unsigned>(std::countr_zero(bits));
            const std::size_t index = word * 64 + bit;
            bits &= bits - 1;
            // The status gate first: it rejects most text-less rules without touching them.
            const StatusGate& gate = m_gates[index];
            if (gate.needs_status &&
                (!input.status || *input.status < gate.low || *input.status > gate.high)) {
                continue;
            }
            const Rule& rule = m_rules[index];
            if (!other_conditions_hold(rule, input, command, result.hinted_provider)) {
                continue;
            }
            if ((by_text >> bit & 1) == 0) {
                const int id = m_rule_regex[index];
                if (!potential(id) || !re2::RE2::PartialMatch(input.text, m_filter->GetRE2(id))) {
                    continue;
                }
            }
            result.rule = &rule;
            if (!m_captures[index].empty()) {
                result.capture = capture_for(index, input.text);
            }
            break;
        }
    }
    // A provider code shape in the text, the first in load order, when the winner names none.
    if (has_text && names_no_code(result.rule, result.capture)) {
        for (std::size_t i = 0; i < m_code_regex.size(); ++i) {
            if ((guarded_codes[i >> 6] >> (i & 63) & 1) == 0) {
                continue;
            }
            std::string captured;
            const int id = m_code_regex[i];
            if (potential(id) &&
                re2::RE2::PartialMatch(input.text, m_filter->GetRE2(id), &captured)) {
                for (char& c : captured) {
                    c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
                }
                result.code_in_text = m_code_formats[i];
                result.code_in_text.replace(result.code_in_text.find("{1}"), 3, captured);
                break;
            }
        }
    }
    return result;
}

} // namespace smtpprobe::classify
