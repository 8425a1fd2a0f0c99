// Reads and validates the TOML config (the format is documented in deploy/config.example.toml).
//
// Contract: load_config() returns a valid Config or throws ConfigError listing every problem
// found, each as "FILE:LINE:COLUMN: KEY: what is wrong" (syntax errors included), so
// `smtpprobe config check` can print them all at once. Unknown keys are errors: a typo never
// silently falls back to a default.
#pragma once

#include "monitor/config/config.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace smtpprobe::config {

struct ConfigProblem {
    std::string file;
    int line = 0; // 0 when the problem has no position (a missing file)
    int column = 0;
    std::string key; // dotted path: "receiver[2].interval"
    std::string message;

    // "FILE:LINE:COLUMN: KEY: MESSAGE"
    std::string to_string() const;
};

class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<ConfigProblem> problems);
    const std::vector<ConfigProblem>& problems() const { return m_problems; }

private:
    std::vector<ConfigProblem> m_problems;
};

// Reads FILE. A missing or unreadable file is a ConfigError too.
Config load_config(const std::string& path);

// The config the commands use: FILE when it exists or was named explicitly (then it must
// exist), else the built-in defaults (Config::source empty).
Config load_config_or_defaults(const std::string& path, bool explicit_choice);

// Parses TOML text (name is used in messages).
Config parse_config(const std::string& text, const std::string& name);

// The SNDS key's file permissions and, with [snds] key_file, the key itself: a file holding
// the key (the config file for an inline key) must not be readable or writable by others
// (mode & 007) nor writable by its group; the key file must hold one non-empty line. Throws
// ConfigError naming the file, its mode and the chmod that fixes it. Called by load_config.
void load_snds_key(Config& config, const std::string& config_path);

// A PostgreSQL URL with a password in `db` needs the same care: the config file must not be
// open to others (as for the SNDS key). Throws ConfigError naming the file, its mode and the
// fixes. Called by load_config.
void check_db_password(const Config& config, const std::string& config_path);

// Parses a duration: an integer number of seconds, or "90s", "15m", "1h30m", "2d".
// Returns false when malformed or not positive.
bool parse_duration(const std::string& text, std::chrono::seconds* out);

} // namespace smtpprobe::config
