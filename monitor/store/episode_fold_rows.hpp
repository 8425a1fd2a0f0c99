// The SQL of the episode fold's own rows (schema 001, 005, 010): episode rows, the per-key
// machine state of episode_state, and monitor_cursor (how far a fold has read). Written only
// by monitor/episodes/episode_builder.hpp inside its transaction; the read views of episodes
// are in history_rows.hpp and state_rows.hpp.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace smtpprobe::store {

// One monitor_cursor value; nullopt when the name was never written.
std::optional<std::int64_t> read_monitor_cursor(Database& db, const std::string& name);
// Inserts or replaces one monitor_cursor value.
void write_monitor_cursor(Database& db, const std::string& name, std::int64_t value);

// One episode row as the fold keeps it (codes: a JSON array).
struct FoldEpisodeRow {
    std::int64_t id = 0; // 0: not stored yet
    std::string ip;
    std::string scope;
    std::string opened;
    std::optional<std::string> closed;
    std::int64_t first_evidence = 0; // 0 when NULL
    std::int64_t last_evidence = 0;  // 0 when NULL
    std::string reason;
    std::string codes;
    std::int64_t evidence_count = 0;
};
std::optional<FoldEpisodeRow> read_fold_episode(Database& db, std::int64_t id);
// Inserts the row (id 0: returns the new id) or updates the stored one (returns its id).
std::int64_t write_fold_episode(Database& db, const FoldEpisodeRow& row);

// One episode_state row (verdicts as their names; machine: the fold's JSON).
struct EpisodeStateRow {
    std::string ip;
    std::string scope;
    std::string state;
    std::optional<std::string> since;
    std::string last_time;
    std::int64_t last_id = 0;
    std::string last_verdict;
    std::string provider_code;
    std::string reason;
    std::string machine;
    std::optional<std::int64_t> episode_id; // the open episode
};
std::optional<EpisodeStateRow> read_episode_state(Database& db, const std::string& ip,
                                                  const std::string& scope);
// Inserts or replaces the row of its (ip, scope).
void write_episode_state(Database& db, const EpisodeStateRow& row);

// Deletes the episodes and state of one (ip, scope).
void delete_episode_key(Database& db, const std::string& ip, const std::string& scope);
// Deletes every episode and state row (a full rebuild follows).
void delete_all_episodes(Database& db);

} // namespace smtpprobe::store
