// Guards of the patterns of a FilteredRE2: for each pattern, a few of the filter's atoms one of
// which must occur in a text for FilteredRE2::AllPotentials to let that pattern through. The
// matcher asks AllPotentials (which allocates and walks the whole prefilter tree) only when a
// guard of a pattern it needs occurred, instead of on every text with any atom.
//
// Contract: sound by construction: a pattern's guard is kept only when AllPotentials over all
// atoms but the guard's leaves the pattern out (AllPotentials is monotone in the atoms it is
// given, so no text without a guard atom can let the pattern through); a pattern without such
// a guard, or that passes with no atom at all, is `always`. Construction costs one
// AllPotentials call per atom of each pattern's own prefilter.
#pragma once

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <string>
#include <vector>

namespace smtpprobe::classify {

struct PatternGuard {
    bool always = false;    // AllPotentials may pass the pattern whatever atoms occurred
    std::vector<int> atoms; // indices into the filter's atoms (when not `always`)
};

// `filter` compiled (its atoms are `atoms`); `patterns[id]` is the text of its pattern `id`,
// compiled with `options` and `min_atom_len` like the filter's. One guard per pattern id.
std::vector<PatternGuard> pattern_guards(const re2::FilteredRE2& filter,
                                         const std::vector<std::string>& atoms,
                                         const std::vector<std::string>& patterns,
                                         const re2::RE2::Options& options, int min_atom_len);

} // namespace smtpprobe::classify
