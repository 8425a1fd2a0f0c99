// Every subcommand registers itself on the app through one function here. Each lives in its
// own file (cmd_<name>.cpp) and only parses arguments and calls into the layers.
#pragma once

#include "cli/context.hpp"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace smtpprobe::cli {

// Builds the whole command line: global options and every subcommand.
void build_app(CLI::App& app, Context& ctx);

// `smtpprobe help [COMMAND...]`: the help of the app or of one command (cmd_help.cpp).
void add_help_command(CLI::App& app, Context& ctx);
// `smtpprobe [GLOBAL...] help [COMMAND...]`, answered before parsing: the exit code when the
// arguments ask for help (0; 2 for an unknown command, as UsageError), else nullopt.
std::optional<int> run_help_command(const CLI::App& app, const std::vector<std::string>& args);
// When a parse failed: if the arguments (argv without the program name) name a command that
// does not exist, or stop at a group that needs one (`ingest` alone), the one line to print
// ("unknown command 'nosuch' for 'ingest'; did you mean ...?"); nullopt otherwise.
std::optional<std::string> unknown_command(const CLI::App& app,
                                           const std::vector<std::string>& args);

// `ingest bounce PATH...|-` (cmd_ingest_bounce.cpp), added to the `ingest` parent.
void add_ingest_bounce_command(CLI::App& ingest, Context& ctx);

// smtpprobe explain TEXT|CODE [--host HOST]: what a reply, status or provider code means.
void add_explain_command(CLI::App& app, Context& ctx);
// `ingest`: the group of ingestion subcommands, created on first use and returned after that,
// so each child (log, bounce) adds itself with its own add_ingest_<child>_command(group, ctx).
CLI::App& ingest_command(CLI::App& app);
// `ingest` with all its children (called by build_app).
void add_ingest_command(CLI::App& app, Context& ctx);
// `ingest log FILE...|-` (cmd_ingest_log.cpp); parent is the ingest group.
void add_ingest_log_command(CLI::App& parent, Context& ctx);
// The receivers' reports (issue 19), each in cli/cmd_ingest_<name>.cpp, added to `ingest`:
// `ingest dmarc PATH...|-`, `ingest tlsrpt PATH...|-`, `ingest snds FILE...|-`.
void add_ingest_dmarc_command(CLI::App& ingest, Context& ctx);
void add_ingest_tlsrpt_command(CLI::App& ingest, Context& ctx);
void add_ingest_snds_command(CLI::App& ingest, Context& ctx);
// Monitor commands (each in cli/cmd_<name>.cpp).
void add_config_command(CLI::App& app, Context& ctx);
void add_status_command(CLI::App& app, Context& ctx);
void add_run_command(CLI::App& app, Context& ctx);
// `smtpprobe serve`: the dashboard, JSON API and /metrics (cli/cmd_serve.cpp).
void add_serve_command(CLI::App& app, Context& ctx);
// `smtpprobe db export|import|migrate`: the whole history between databases (cmd_db.cpp).
void add_db_command(CLI::App& app, Context& ctx);
// `smtpprobe dnsbl IP...` (cmd_dnsbl.cpp).
void add_dnsbl_command(CLI::App& app, Context& ctx);
// `smtpprobe probe TARGET...` (cmd_probe.cpp).
void add_probe_command(CLI::App& app, Context& ctx);
// `smtpprobe dsn-test HOST[:PORT]` and the global `--dsn-test HOST[:PORT]` (cmd_dsn_test.cpp).
void add_dsn_test_command(CLI::App& app, Context& ctx);

} // namespace smtpprobe::cli
