// Default paths of DESIGN.md (see context.hpp).
#include "cli/context.hpp"

#include "monitor/store/pg_connection.hpp"

#include <cstdlib>
#include <filesystem>

namespace smtpprobe::cli {

namespace {

std::string env(const char* name)
{
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

} // namespace

std::string db_path(const GlobalOptions& global)
{
    if (!global.db.empty()) {
        // A password on the command line is in every user's `ps` (issue 20): refused, with
        // where it belongs instead.
        if (store::pg::has_password(global.db)) {
            throw UsageError("--db: the PostgreSQL URL holds a password, which every user of "
                             "this machine can read in the process list; put it in ~/.pgpass "
                             "(or PGPASSFILE, or PGPASSWORD in the environment) or in the "
                             "config file's db = \"...\"");
        }
        return global.db;
    }
    if (std::string from_env = env("SMTPPROBE_DB"); !from_env.empty()) {
        return from_env;
    }
    if (std::string xdg = env("XDG_DATA_HOME"); !xdg.empty()) {
        return xdg + "/smtpprobe/history.db";
    }
    if (std::string home = env("HOME"); !home.empty()) {
        return home + "/.local/share/smtpprobe/history.db";
    }
    throw UsageError("no database path: give --db, or set SMTPPROBE_DB or HOME");
}

std::string config_path(const GlobalOptions& global, bool* explicit_choice)
{
    if (explicit_choice) {
        *explicit_choice = true;
    }
    if (!global.config.empty()) {
        return global.config;
    }
    if (std::string from_env = env("SMTPPROBE_CONFIG"); !from_env.empty()) {
        return from_env;
    }
    if (explicit_choice) {
        *explicit_choice = false;
    }
    if (std::string home = env("HOME"); !home.empty()) {
        std::string user = home + "/.config/smtpprobe/config.toml";
        // Non-throwing: a HOME we may not enter (sudo -u smtpprobe keeps HOME=/root) means
        // "no user config", not a crash.
        std::error_code ec;
        if (std::filesystem::exists(user, ec)) {
            return user;
        }
    }
    return "/etc/smtpprobe/config.toml";
}

} // namespace smtpprobe::cli
