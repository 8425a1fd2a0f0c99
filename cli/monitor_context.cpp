// Effective config and database path for the monitor commands (see monitor_context.hpp).
#include "cli/monitor_context.hpp"

#include "monitor/config/config_loader.hpp"
#include "monitor/store/pg_connection.hpp"
#include "probe/log.hpp"
#include "probe/printable.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace smtpprobe::cli {

void check_named_db(const std::string& path, const std::string& where)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        throw UsageError(where + " " + printable(path, 300) +
                         ": is a folder; name the history file inside it (like " +
                         printable((fs::path(path) / "history.db").string(), 300) + ")");
    }
    const fs::path parent = fs::path(path).parent_path();
    if (parent.empty()) {
        return;
    }
    if (!fs::exists(parent, ec)) {
        throw UsageError(where + " " + printable(path, 300) + ": folder " +
                         printable(parent.string(), 300) +
                         " does not exist (create it, or fix the path)");
    }
    if (!fs::is_directory(parent, ec)) {
        throw UsageError(where + " " + printable(path, 300) + ": " +
                         printable(parent.string(), 300) + " is not a folder");
    }
}

namespace {

void create_default_folder(const std::string& path)
{
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
        if (ec) {
            throw IncompleteError("history " + printable(path, 300) + ": cannot create folder " +
                                  printable(parent.string(), 300) + ": " + ec.message());
        }
    }
}

} // namespace

config::Config load_effective_config(const GlobalOptions& global)
{
    bool explicit_choice = false;
    std::string path = config_path(global, &explicit_choice);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw UsageError(
            "config " + printable(path, 300) + ": is a folder, not a config file (like " +
            printable((std::filesystem::path(path) / "config.toml").string(), 300) + ")");
    }
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
    std::string path;
    std::string where;
    if (!global.db.empty()) {
        path = db_path(global); // refuses a password on the command line
        where = "--db";
    } else if (env != nullptr && *env != '\0') {
        path = env;
        where = "$SMTPPROBE_DB";
    } else if (!config.db.empty()) {
        path = config.db;
        where = "config db";
    } else {
        path = db_path(global);
        if (!store::pg::is_url(path)) {
            create_default_folder(path);
        }
        return path;
    }
    if (!store::pg::is_url(path) && path != ":memory:") {
        check_named_db(path, where);
    }
    return path;
}

} // namespace smtpprobe::cli
