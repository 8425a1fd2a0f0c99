// Matching: one LiteralScanner pass (substrings, pattern atoms and their guards), then
// priority-ordered checks of the candidates, with FilteredRE2 and RE2 asked only for the rules
// reached. See rule_matcher.hpp; the rule book is compiled in rule_matcher_build.cpp.
#include "monitor/classify/rule_matcher.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/classify/reply_facts.hpp"

#include <algorithm>
#include <bit>

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
    if (!rule.formats.empty() &&
        std::find(rule.formats.begin(), rule.formats.end(), input.format) == rule.formats.end() &&
        (input.format.empty() ||
         std::find(rule.formats.begin(), rule.formats.end(), "any") == rule.formats.end())) {
        return false; // "any": every bounce report (a non-empty format), never a log line
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
    } else if (!rule.provider.empty() && rule.priority < 950 && rule.provider_code.empty() &&
               !input.receiver_provider.empty() && input.receiver_provider != "other" &&
               provider_family(input.receiver_provider) != provider_family(rule.provider)) {
        // A provider's wording (not its codes: priority 950 and up, or a provider_code) is that
        // provider's: another recognised receiver's reply using the same words is not read
        // with it.
        return false;
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

std::size_t RuleMatcher::status_bucket(std::optional<PackedStatus> status)
{
    if (!status) {
        return 0;
    }
    const PackedStatus subject = *status / 1'000 % 1'000;
    std::size_t klass = 0;
    switch (*status / 1'000'000) {
    case 2:
        klass = 0;
        break;
    case 4:
        klass = 1;
        break;
    case 5:
        klass = 2;
        break;
    default:
        return SIZE_MAX;
    }
    return subject < k_subject_buckets ? 1 + klass * k_subject_buckets + subject : SIZE_MAX;
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
    // Rules whose status gate cannot let the status through are left out first.
    const std::size_t bucket = status_bucket(input.status);
    const std::uint64_t* const status_allowed =
        bucket == SIZE_MAX ? nullptr : m_status_allowed.data() + bucket * words;
    for (std::size_t word = 0; word < words && result.rule == nullptr; ++word) {
        const std::uint64_t status_mask =
            status_allowed != nullptr ? status_allowed[word] : ~std::uint64_t{0};
        const std::uint64_t by_text = candidates[word];
        std::uint64_t bits = (by_text | guarded[word]) & ~vetoed[word] & status_mask;
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
