// Reading and writing the episode builder's rows: episode and episode_state (schema 001, 005).
// Internal to monitor/episodes; status and alerts read the tables through their own queries.
#pragma once

#include "monitor/episodes/episode_fold.hpp"
#include "monitor/store/database.hpp"

#include <string>

namespace smtpprobe::episodes {

// Loads the machine state of one key (and its open episode). False when the key is new.
bool load_state(store::Database& db, const std::string& ip, const std::string& scope,
                KeyState& state);
// Writes the state row of state's key (insert or replace).
void save_state(store::Database& db, const KeyState& state);
// Inserts the episode (id 0; sets its id) or updates the stored one.
void save_episode(store::Database& db, Episode& episode);
// Forgets everything built for one key (its episodes and state).
void delete_key(store::Database& db, const std::string& ip, const std::string& scope);

// Codes as a JSON array and back.
std::string codes_json(const std::vector<std::string>& codes);
std::vector<std::string> codes_from_json(const std::string& text);

} // namespace smtpprobe::episodes
