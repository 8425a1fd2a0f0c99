// Effective config and database path for the monitor commands (see monitor_context.hpp).
#include "cli/monitor_context.hpp"

#include "monitor/config/config_loader.hpp"
#include "probe/log.hpp"

#include <cstdlib>
#include <iostream>

namespace smtpprobe::cli {

config::Config load_effective_config(const GlobalOptions& global)
{
    bool explicit_choice = false;
    std::string path = config_path(global, &explicit_choice);
    try {
        return config::load_config_or_defaults(path, explicit_choice);
    } catch (const config::ConfigError& e) {
        for (std::size_t i = 1; i < e.problems().size(); ++i) {
            log::error("config: ", e.problems()[i].to_string());
        }
        throw UsageError("config: " + e.problems().front().to_string());
    }
}

std::string monitor_db_path(const GlobalOptions& global, const config::Config& config)
{
    const char* env = std::getenv("SMTPPROBE_DB");
    if (global.db.empty() && (!env || !*env) && !config.db.empty()) {
        return config.db;
    }
    return db_path(global);
}

} // namespace smtpprobe::cli
