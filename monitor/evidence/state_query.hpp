// The read-only state query: "is this IP blocked by this receiver, since when, why, what do I
// do". The ONE answer that `status`, the alerts, the web API (/api/status, /api/overview),
// the overview page and /metrics all read, so they can never disagree.
//
// It reads what the episode fold wrote (episode_state, episode) and the evidence behind it;
// it never writes, so it runs on a read-only database. Folding evidence into episodes is an
// explicit step of the writers (run, ingest, probe, note: episodes::update_episodes); evidence
// added since the last fold is counted (unfolded_evidence), not guessed at.
//
// Per (sending IP, scope): the state (blocked while an episode is open), since when, the last
// evidence, the provider code and reason that explain the state (never a code from before the
// state changed: a clear scope shows no block code), the action (the delist procedure of the
// newest blocking evidence's rule, a DNSBL zone's delist URL, or the default per state), the
// open episode, and for a DNS blocklist named by a receiver's refusal, that receiver.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/evidence/verdict.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace smtpprobe::store {
struct StateRow;
}

namespace smtpprobe::evidence {

struct OpenEpisode {
    std::int64_t id = 0;
    std::string opened;
    std::string reason;
    std::vector<std::string> codes; // distinct provider codes, first seen first
    std::int64_t evidence_count = 0;
};

struct ScopeState {
    std::string ip;    // the sending IP; "" = this server (no identity configured, or several
                       // and the evidence did not say which)
    std::string scope; // "microsoft-consumer/eur", "dnsbl/zen.spamhaus.org", "host/mx.example"
    Verdict state = Verdict::unknown;
    std::optional<std::string> since; // when the current state began (null: unknown)
    std::string last_evidence_time;   // the latest observation folded
    std::int64_t last_evidence_id = 0;
    Verdict last_verdict = Verdict::unknown;
    std::string provider_code; // explains the state ("" when clear)
    std::string reason;
    std::string meaning; // the state in plain words (the blocking rule's meaning when blocked)
    std::string action;
    std::string receiver; // a list's scope: the receiver whose refusal named it ("" otherwise)
    std::optional<OpenEpisode> episode; // set exactly when state is blocked
    std::int64_t last_blocked_evidence = 0;
};

struct StateFilter {
    std::string ip;    // "" = every IP (use this_server for the "" key)
    std::string scope; // "" = every scope; a prefix ending in '/' matches a provider's clusters
    bool this_server = false;
    // "" = every node; else only the pairs with evidence this node observed (schema 018: the
    // evidence's node column). An unknown node keeps nothing.
    std::string node;
    // "" = every state; else only the pairs in this state (blocked | clear | unknown), chosen
    // by the query itself (a fleet's blocked pairs without reading its clear ones).
    std::string state;
    // The pairs of node, read by with_node_keys() (null until then: keeps nothing).
    std::shared_ptr<const std::set<std::pair<std::string, std::string>>> node_keys;

    // Whether the (ip, scope) pair passes the filter.
    bool keeps(const std::string& pair_ip, const std::string& pair_scope) const;
};

// filter with the pairs of its node read (filter unchanged when it names no node or has
// them). read_state() calls it; a caller filtering other rows with keeps() calls it first.
StateFilter with_node_keys(store::Database& db, const config::Config& config, StateFilter filter);

struct StateSnapshot {
    std::vector<ScopeState> scopes;     // ordered by ip, then scope
    std::int64_t unfolded_evidence = 0; // evidence rows the last fold has not read

    // Something is blocked or listed now.
    bool any_blocked() const;
};

// The states of folded rows (store::read_state_rows) with their meaning and action read (the
// blocking evidence of all of them in one statement), in the rows' order.
std::vector<ScopeState> scope_states_of(store::Database& db, const config::Config& config,
                                        std::vector<store::StateRow>&& rows);

// Reads the state of every (ip, scope) the fold knows, filtered. Never writes.
StateSnapshot read_state(store::Database& db, const config::Config& config,
                         const StateFilter& filter = {});

} // namespace smtpprobe::evidence
