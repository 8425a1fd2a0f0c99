// The per-key episode state machine (see episode_fold.hpp).
#include "monitor/episodes/episode_fold.hpp"

#include <algorithm>

namespace smtpprobe::episodes {

using evidence::Verdict;

namespace {

void add_blocked(Episode& episode, const EvidenceItem& item)
{
    if (episode.evidence_count == 0) {
        episode.first_evidence = item.id;
        episode.opened = item.time;
        episode.reason = item.reason.empty() ? "blocked" : item.reason;
    }
    episode.last_evidence = item.id;
    episode.evidence_count += item.observations;
    if (!item.provider_code.empty() && std::find(episode.codes.begin(), episode.codes.end(),
                                                 item.provider_code) == episode.codes.end()) {
        episode.codes.push_back(item.provider_code);
    }
}

void start_run(KeyState& state, const EvidenceItem& item)
{
    state.run_verdict = item.verdict;
    state.run_count = static_cast<int>(std::min<std::int64_t>(item.observations, 1 << 30));
    state.run_first_time = item.time;
    state.run_first_id = item.id;
}

// Returns whether the item started a new run.
bool extend_run(KeyState& state, const EvidenceItem& item)
{
    if (state.run_verdict == item.verdict) {
        // Saturating: only the comparison with open_after / close_after matters.
        state.run_count = static_cast<int>(
            std::min<std::int64_t>(std::int64_t{state.run_count} + item.observations, 1 << 30));
        return false;
    }
    start_run(state, item);
    return true;
}

void clear_run(KeyState& state)
{
    state.run_verdict = Verdict::unknown;
    state.run_count = 0;
    state.run_first_time.clear();
    state.run_first_id = 0;
}

void on_blocked(KeyState& state, const EvidenceItem& item, const config::EpisodeSettings& s)
{
    if (state.open) {
        // Already blocked: the item belongs to the episode and breaks any clear run.
        add_blocked(*state.open, item);
        clear_run(state);
        return;
    }
    bool started = extend_run(state, item);
    if (!state.pending || started) {
        state.pending = Episode{};
        state.pending->ip = state.ip;
        state.pending->scope = state.scope;
    }
    add_blocked(*state.pending, item);
    if (state.run_count >= s.open_after) {
        state.open = std::move(state.pending);
        state.pending.reset();
        state.state = Verdict::blocked;
        state.since = state.open->opened;
        clear_run(state);
    }
}

void on_clear(KeyState& state, const EvidenceItem& item, const config::EpisodeSettings& s,
              std::vector<Episode>& finished)
{
    if (!state.open) {
        // Not blocked: a clear item confirms "clear" at once and breaks a blocked run.
        state.pending.reset();
        clear_run(state);
        if (state.state != Verdict::clear) {
            state.state = Verdict::clear;
            state.since = item.time;
        }
        return;
    }
    extend_run(state, item);
    if (state.run_count >= s.close_after) {
        state.open->closed = state.run_first_time;
        state.state = Verdict::clear;
        state.since = state.run_first_time;
        finished.push_back(std::move(*state.open));
        state.open.reset();
        clear_run(state);
    }
}

} // namespace

bool KeyState::is_after(const EvidenceItem& item) const
{
    if (last_id == 0) {
        return true;
    }
    return item.time > last_time || (item.time == last_time && item.id > last_id);
}

void fold(KeyState& state, const EvidenceItem& item, const config::EpisodeSettings& settings,
          std::vector<Episode>& finished)
{
    // The latest observation so far: with one row per observation, folded in time order, that
    // is the last item's time; a counted item's last observation can be later than the next
    // item's time (another IP of the key), so the maximum.
    const std::string& last = item.last_time.empty() ? item.time : item.last_time;
    if (state.last_id == 0 || last > state.last_time) {
        state.last_time = last;
    }
    state.last_id = item.id;
    state.last_verdict = item.verdict;
    if (item.verdict == Verdict::blocked) {
        on_blocked(state, item, settings);
    } else if (item.verdict == Verdict::clear) {
        on_clear(state, item, settings, finished);
    }
    // "unknown" changes nothing but the last-evidence facts above (and, while nothing is known
    // yet, what explains that).
    if (item.verdict == state.state) {
        state.reason = item.reason;
        state.provider_code = item.provider_code;
    }
}

} // namespace smtpprobe::episodes
