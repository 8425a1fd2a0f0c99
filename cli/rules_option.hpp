// The user rule file for the classifier: `--rules FILE`, else the config file's `rules` key
// (top level, or `rules` in a [classify] table). Installed once after parsing, so every layer
// that calls classify::Classifier::current() sees the user's additions and overrides.
#pragma once

#include "cli/context.hpp"

namespace smtpprobe::cli {

// Loads and installs the user rule file if one is configured. A bad rule file is a UsageError
// naming the file, rule and field (exit 2); no rule file configured is fine.
void install_user_rules(const GlobalOptions& global);

} // namespace smtpprobe::cli
