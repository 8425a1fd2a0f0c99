// Evidence → episodes in the store: the incremental update `smtpprobe run` does after each
// ingest/probe/DNSBL pass, and the full rebuild. Both fold the evidence of each (sending IP,
// scope) in (time, id) order through episode_fold.hpp, so they give identical episodes.
//
// Incremental: continues from the last folded evidence id (monitor_cursor "episodes") with the
// per-key machine state of episode_state. When new evidence of a key is older than what was
// already folded for it (a log ingested late), that key alone is rebuilt from all its
// evidence. When the settings (confirmations, default IP) differ from those the state was
// built with, everything is rebuilt.
//
// Sending IP "" in evidence (the source did not say, sendmail `relay=[]`) is attributed to
// default_ip (the configured identity's IP, or "" meaning "this server").
//
// Contract: runs in one transaction; a crash leaves the previous state intact.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>

namespace smtpprobe::episodes {

struct BuildOptions {
    config::EpisodeSettings settings;
    std::string default_ip;
};

struct BuildResult {
    std::int64_t evidence_folded = 0;
    std::int64_t keys_rebuilt = 0; // keys rebuilt because of late evidence
    bool full_rebuild = false;
};

BuildResult update_episodes(store::Database& db, const BuildOptions& options);
// The fold with the settings of config (its confirmations, its single identity's IP for
// unattributed evidence): what `run`, every ingest, `probe` and `note` do after writing.
BuildResult update_episodes(store::Database& db, const config::Config& config);
BuildResult rebuild_episodes(store::Database& db, const BuildOptions& options);

} // namespace smtpprobe::episodes
