// What every subcommand gets: the global options, resolved, and where to put its action.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace CLI {
class App;
}

namespace smtpprobe::cli {

// A mistake the user can fix (bad value, bad config): printed as one line, exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A part that could not complete (unreadable file, unreachable resolver): one line, exit 3.
class IncompleteError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct GlobalOptions {
    std::string db;         // --db; empty until resolved by db_path()
    std::string config;     // --config
    std::string dns_server; // --dns-server ADDR[:PORT]
    std::string rules;      // --rules FILE: user classifier rules (else config key `rules`)
    bool json = false;      // --json
    int verbosity = 0;      // -v adds one, -q subtracts one
};

struct Context {
    GlobalOptions global;
    // Set by the chosen subcommand's parse callback; main runs it after parsing succeeded.
    std::function<int()> action;
};

// The database path: --db, else $SMTPPROBE_DB, else $XDG_DATA_HOME/smtpprobe/history.db,
// else ~/.local/share/smtpprobe/history.db (DESIGN.md "Defaults").
std::string db_path(const GlobalOptions& global);

// The config path: --config, else $SMTPPROBE_CONFIG, else ~/.config/smtpprobe/config.toml if it
// exists, else /etc/smtpprobe/config.toml. explicit_choice tells whether the user named it
// (a missing named file is an error; a missing default is not).
std::string config_path(const GlobalOptions& global, bool* explicit_choice = nullptr);

} // namespace smtpprobe::cli
