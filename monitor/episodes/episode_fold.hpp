// The episode state machine of one (sending IP, scope): evidence in, episodes out. Pure: no
// store, no clock, so the incremental builder and the full rebuild share it exactly.
//
// Rules (DESIGN.md, issue 6): blocked evidence opens an episode, clear evidence closes it,
// unknown evidence changes nothing (it neither counts nor breaks a run). Against flapping,
// open_after consecutive blocked items open an episode and close_after consecutive clear items
// close it; the episode's opened (closed) time is the time of the first item of the confirming
// run. A key with no blocked or clear evidence yet is "unknown"; the first clear item makes it
// "clear" at once (there is nothing to close).
//
// An item may stand for several observations (schema 009: log ingestion counts consecutive
// successes of a scope on one clear row). It folds exactly like that many items of its verdict
// in a row at its time: a clear item of 3 observations is 3 clear items towards close_after, and
// the confirming run still starts at the item's time (the first of them). last_time, the last
// observation's time, only moves the key's last-evidence time.
//
// Contract: items must be folded in (time, id) order; fold() checks nothing about order (the
// builder does, and rebuilds a key when older evidence arrives late).
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/evidence/verdict.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::episodes {

struct EvidenceItem {
    std::int64_t id = 0;
    std::string time; // ISO 8601 UTC
    std::string ip;   // already mapped (default identity for "")
    std::string scope;
    evidence::Verdict verdict = evidence::Verdict::unknown;
    std::string reason;
    std::string provider_code;
    std::int64_t observations = 1; // how many observations the item stands for (>= 1)
    std::string last_time;         // of the last of them; "" when it is time
};

struct Episode {
    std::int64_t id = 0; // 0: not stored yet
    std::string ip;
    std::string scope;
    std::string opened;
    std::optional<std::string> closed;
    std::int64_t first_evidence = 0;
    std::int64_t last_evidence = 0;
    std::string reason;
    std::vector<std::string> codes;  // distinct provider codes, in the order first seen
    std::int64_t evidence_count = 0; // blocked observations that belong to the episode

    bool operator==(const Episode&) const = default;
};

// Everything the machine remembers about a key between folds.
struct KeyState {
    std::string ip;
    std::string scope;
    evidence::Verdict state = evidence::Verdict::unknown;
    std::optional<std::string> since;
    std::string last_time; // the latest observation folded (items' last_time, else time)
    std::int64_t last_id = 0;
    evidence::Verdict last_verdict = evidence::Verdict::unknown;
    // Reason and provider code of the last item that agreed with the state (a blocked item
    // while blocked, a clear one while clear, an unknown one while nothing is known): what the
    // state is explained by, never a code from before the state changed.
    std::string provider_code;
    std::string reason;
    // The run of consecutive same-verdict items not yet confirmed (unknown: no run).
    evidence::Verdict run_verdict = evidence::Verdict::unknown;
    int run_count = 0;
    std::string run_first_time;
    std::int64_t run_first_id = 0;
    // Blocked items (with codes) seen during an unconfirmed blocked run: they become the
    // episode's first items when it opens.
    std::optional<Episode> pending;
    std::optional<Episode> open; // the open episode

    // Whether an item comes after everything folded so far in (time, id) order (and after the
    // last observation of an aggregate item: one inside its span is refolded, conservatively).
    bool is_after(const EvidenceItem& item) const;
};

// Folds one item into state. An episode that closes is appended to finished; the open
// episode stays in state.open (new ones with id 0).
void fold(KeyState& state, const EvidenceItem& item, const config::EpisodeSettings& settings,
          std::vector<Episode>& finished);

} // namespace smtpprobe::episodes
