// `smtpprobe config check [FILE]`: validates a config file and prints every problem as
// FILE:LINE:COLUMN: KEY: what is wrong (exit 2), or a one-line summary (exit 0).
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "monitor/config/config_loader.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace smtpprobe::cli {

namespace {

int check_config(Context& ctx, const std::string& file)
{
    bool explicit_choice = true;
    std::string path = file.empty() ? config_path(ctx.global, &explicit_choice) : file;
    try {
        config::Config c = config::load_config(path);
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
