// `smtpprobe config check [FILE]`: validates a config file and prints every problem as
// FILE:LINE:COLUMN: KEY: what is wrong (exit 2), or a one-line summary (exit 0).
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "monitor/config/config_loader.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/scripts/script_file.hpp"
#include "probe/printable.hpp"
#include "probe/script.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace smtpprobe::cli {

namespace {

// Receivers whose script sends DATA: refused without allow_data (a problem), or a notice that
// `run` will send real mail. Scripts that cannot be loaded are a problem too.
struct DataPermissions {
    std::vector<std::string> problems;
    std::vector<std::string> notices;
};

DataPermissions data_permissions(const config::Config& c, const std::string& path)
{
    DataPermissions out;
    for (std::size_t i = 0; i < c.receivers.size(); ++i) {
        const config::Receiver& r = c.receivers[i];
        const std::string key = path + ": receiver[" + std::to_string(i) + "].script: ";
        std::optional<probe::Script> script = probe::builtin_script(r.script);
        if (!script) {
            try {
                script = scripts::load_config_script(path, r.script);
            } catch (const std::exception& e) {
                out.problems.push_back(key + e.what());
                continue;
            }
        }
        if (!script) {
            out.problems.push_back(key + "no script named \"" + r.script + "\"");
            continue;
        }
        if (!script->has_data()) {
            continue;
        }
        if (r.allow_data) {
            out.notices.push_back("receiver " + r.name +
                                  ": allow_data = true: `run` sends a real "
                                  "message (script " +
                                  r.script + ") every interval");
        } else {
            out.problems.push_back(key + "'" + r.script +
                                   "' sends DATA (a real message); `run` refuses it unless the "
                                   "receiver says allow_data = true");
        }
    }
    return out;
}

int check_config(Context& ctx, const std::string& file)
{
    bool explicit_choice = true;
    std::string path = file.empty() ? config_path(ctx.global, &explicit_choice) : file;
    try {
        config::Config c = config::load_config(path);
        const DataPermissions data = data_permissions(c, path);
        if (!data.problems.empty()) {
            for (const std::string& problem : data.problems) {
                std::cerr << problem << "\n";
            }
            if (ctx.global.json) {
                std::cout << json_text(nlohmann::json{
                                 {"file", path}, {"valid", false}, {"problems", data.problems}})
                          << "\n";
            }
            return k_exit_usage;
        }
        for (const std::string& notice : data.notices) {
            std::cerr << "note: " << notice << "\n";
        }
        for (const config::BounceSource& bounce : c.bounces) {
            if (auto problem = monitor::bounce_source_problem(bounce.path)) {
                std::cerr << "warning: [[bounce]] path " << printable(bounce.path, 300) << ": "
                          << *problem << " (`run` will report it as a failure)\n";
            }
        }
        if (ctx.global.json) {
            nlohmann::json out{
                {"file", path},
                {"valid", true},
                {"identities", c.identities.size()},
                {"receivers", c.receivers.size()},
                {"dnsbl_zones", c.dnsbl.zones.size()},
                {"logs", c.logs.size()},
                {"bounces", c.bounces.size()},
                {"alert_channels",
                 c.alerts.webhooks.size() + c.alerts.commands.size() + c.alerts.mails.size()}};
            std::cout << json_text(out) << "\n";
        } else {
            std::cout << path << ": ok: " << c.identities.size() << " identities, "
                      << c.receivers.size() << " receivers, " << c.dnsbl.zones.size()
                      << " DNSBL zones, " << c.logs.size() << " logs, " << c.bounces.size()
                      << " bounce sources, "
                      << c.alerts.webhooks.size() + c.alerts.commands.size() + c.alerts.mails.size()
                      << " alert channels\n";
        }
        return k_exit_ok;
    } catch (const config::ConfigError& e) {
        if (ctx.global.json) {
            nlohmann::json problems = nlohmann::json::array();
            for (const auto& p : e.problems()) {
                problems.push_back({{"file", p.file},
                                    {"line", p.line},
                                    {"column", p.column},
                                    {"key", p.key},
                                    {"message", p.message}});
            }
            std::cout << json_text(nlohmann::json{
                             {"file", path}, {"valid", false}, {"problems", problems}})
                      << "\n";
        }
        for (const auto& p : e.problems()) {
            std::cerr << p.to_string() << "\n";
        }
        return k_exit_usage;
    }
}

} // namespace

void add_config_command(CLI::App& app, Context& ctx)
{
    CLI::App* config = app.add_subcommand("config", "configuration file tools");
    config->require_subcommand(1);
    CLI::App* check = config->add_subcommand(
        "check", "validate a config file: every problem as FILE:LINE:COLUMN: KEY: what is wrong");
    auto file = std::make_shared<std::string>();
    check->fallthrough();
    check->add_option("FILE", *file, "config file (default: the one smtpprobe would use)");
    check->callback(
        [&ctx, file] { ctx.action = [&ctx, file] { return check_config(ctx, *file); }; });
}

} // namespace smtpprobe::cli
