// What the monitor commands (status, note, run) share: the effective config (the file, or the
// built-in defaults when no file exists and none was named) and the database path, where
// --db and $SMTPPROBE_DB win over the config's `db`.
#pragma once

#include "cli/context.hpp"
#include "monitor/config/config.hpp"

#include <string>

namespace smtpprobe::cli {

// Throws UsageError (exit 2) with the first problem when the config is invalid; every problem
// is printed on stderr first.
config::Config load_effective_config(const GlobalOptions& global);

// A history path the user named (where: "--db", "TO", ...) must lead somewhere that exists:
// a mistyped path never creates folders and an empty history (UsageError otherwise). Only the
// default location is created.
void check_named_db(const std::string& path, const std::string& where);

std::string monitor_db_path(const GlobalOptions& global, const config::Config& config);

} // namespace smtpprobe::cli
