// Guards of FilteredRE2 patterns, found by asking the filter itself. See pattern_guards.hpp.
#include "monitor/classify/pattern_guards.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>

namespace smtpprobe::classify {
namespace {

// Whether AllPotentials passes pattern `id` when every atom except `excluded` (sorted) occurs.
bool passes_without(const re2::FilteredRE2& filter, std::size_t atom_count,
                    const std::vector<int>& excluded, int id)
{
    std::vector<int> present;
    present.reserve(atom_count);
    for (std::size_t atom = 0; atom < atom_count; ++atom) {
        if (!std::binary_search(excluded.begin(), excluded.end(), static_cast<int>(atom))) {
            present.push_back(static_cast<int>(atom));
        }
    }
    std::vector<int> passed;
    filter.AllPotentials(present, &passed);
    return std::binary_search(passed.begin(), passed.end(), id);
}

// The atoms of the pattern's own prefilter (as indices into the filter's atoms), or nullopt
// when one of them is not among the filter's.
std::optional<std::vector<int>> own_atoms(const std::string& pattern,
                                          const std::map<std::string, int>& index_of,
                                          const re2::RE2::Options& options, int min_atom_len)
{
    re2::FilteredRE2 alone(min_atom_len);
    int id = 0;
    if (alone.Add(pattern, options, &id) != re2::RE2::NoError) {
        return std::nullopt;
    }
    std::vector<std::string> strings;
    alone.Compile(&strings);
    std::vector<int> out;
    for (const std::string& atom : strings) {
        const auto found = index_of.find(atom);
        if (found == index_of.end()) {
            return std::nullopt;
        }
        out.push_back(found->second);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace

std::vector<PatternGuard> pattern_guards(const re2::FilteredRE2& filter,
                                         const std::vector<std::string>& atoms,
                                         const std::vector<std::string>& patterns,
                                         const re2::RE2::Options& options, int min_atom_len)
{
    std::map<std::string, int> index_of;
    for (std::size_t i = 0; i < atoms.size(); ++i) {
        index_of.emplace(atoms[i], static_cast<int>(i));
    }
    std::vector<int> unfiltered;
    filter.AllPotentials({}, &unfiltered);
    std::vector<PatternGuard> guards(patterns.size());
    for (std::size_t id = 0; id < patterns.size(); ++id) {
        PatternGuard& guard = guards[id];
        const int regex_id = static_cast<int>(id);
        const std::optional<std::vector<int>> own =
            std::binary_search(unfiltered.begin(), unfiltered.end(), regex_id)
                ? std::nullopt
                : own_atoms(patterns[id], index_of, options, min_atom_len);
        // The guard must keep the pattern out when none of its atoms occurs.
        if (!own || own->empty() || passes_without(filter, atoms.size(), *own, regex_id)) {
            guard.always = true;
            continue;
        }
        // Drop every atom the guard does not need (the pattern still stays out without the
        // rest): "listed in " AND ".com" needs only the first kind.
        std::vector<int> kept = *own;
        for (const int atom : *own) {
            std::vector<int> fewer;
            std::copy_if(kept.begin(), kept.end(), std::back_inserter(fewer),
                         [&](int a) { return a != atom; });
            if (!fewer.empty() && !passes_without(filter, atoms.size(), fewer, regex_id)) {
                kept = std::move(fewer);
            }
        }
        guard.atoms = std::move(kept);
    }
    return guards;
}

} // namespace smtpprobe::classify
