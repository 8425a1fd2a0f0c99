// The smtpprobe command line: global options and the list of subcommands (see commands.hpp).
#include "cli/commands.hpp"
#include "cli/rules_option.hpp"

#include <CLI/CLI.hpp>

namespace smtpprobe::cli {

void build_app(CLI::App& app, Context& ctx)
{
    app.description("smtpprobe: SMTP deliverability probe and reputation monitor.\n"
                    "Finds out when big receivers or DNS blocklists refuse your server's mail,\n"
                    "keeps the history, explains each code and how to get delisted.");
    app.set_version_flag("--version", std::string("smtpprobe ") + SMTPPROBE_VERSION);
    app.option_defaults()->always_capture_default();
    // Every subcommand inherits this: a global option is accepted before or after the
    // subcommand (`smtpprobe explain --json S3140`), as DESIGN.md's CLI contract says.
    app.fallthrough();
    app.add_option("--db", ctx.global.db,
                   "SQLite history file, or a fleet's postgresql:// URL without password "
                   "(default $SMTPPROBE_DB, else $XDG_DATA_HOME/smtpprobe/history.db)");
    app.add_option("--config", ctx.global.config,
                   "config file (default $SMTPPROBE_CONFIG, else ~/.config/smtpprobe/config.toml,"
                   " else /etc/smtpprobe/config.toml)");
    app.add_option("--dns-server", ctx.global.dns_server,
                   "use this resolver, ADDR[:PORT] (default: the config's dns_server, else the "
                   "system's)");
    app.add_option("--rules", ctx.global.rules,
                   "extra classifier rules (TOML) that add or override rules by id "
                   "(default: config key 'rules')");
    app.add_flag("--json", ctx.global.json, "print JSON (one document, or JSON lines for streams)");
    app.add_flag_function(
        "-v,--verbose", [&](std::int64_t n) { ctx.global.verbosity += static_cast<int>(n); },
        "more detail (repeat for more)");
    app.add_flag_function(
        "-q,--quiet", [&](std::int64_t n) { ctx.global.verbosity -= static_cast<int>(n); },
        "print only errors and findings");
    // After parsing (before the chosen command runs), install the user's classifier rules.
    app.parse_complete_callback([&ctx] { install_user_rules(ctx.global); });
    // The order of --help: what a user asks first (is something blocked?), then how evidence
    // is gathered, then the tools and the long-running server.
    add_status_command(app, ctx); // status, note
    add_run_command(app, ctx);
    add_probe_command(app, ctx);
    add_dsn_test_command(app, ctx);
    add_dnsbl_command(app, ctx);
    add_ingest_command(app, ctx);
    add_explain_command(app, ctx);
    add_serve_command(app, ctx);
    add_config_command(app, ctx);
    add_db_command(app, ctx);
    add_help_command(app, ctx);
    app.footer("Exit codes: 0 fine; 1 a finding (backscatter risk, active block, listing);\n"
               "            2 usage or config error; 3 could not complete (DNS, connect, TLS,\n"
               "            timeout, I/O).\n"
               "Global options go before or after the command.\n"
               "Run 'smtpprobe help COMMAND' (or 'smtpprobe COMMAND --help') for its options.");
}

} // namespace smtpprobe::cli
