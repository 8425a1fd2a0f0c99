// Every subcommand registers itself on the app through one function here. Each lives in its
// own file (cmd_<name>.cpp) and only parses arguments and calls into the layers.
#pragma once

#include "cli/context.hpp"

namespace CLI {
class App;
}

namespace smtpprobe::cli {

// Builds the whole command line: global options and every subcommand.
void build_app(CLI::App& app, Context& ctx);

// smtpprobe explain TEXT|CODE [--host HOST]: what a reply, status or provider code means.
void add_explain_command(CLI::App& app, Context& ctx);
// `ingest`: the group of ingestion subcommands, created on first use and returned after that,
// so each child (log, bounce) adds itself with its own add_ingest_<child>_command(group, ctx).
CLI::App& ingest_command(CLI::App& app);
// `ingest` with all its children (called by build_app).
void add_ingest_command(CLI::App& app, Context& ctx);
// `ingest log FILE...|-` (cmd_ingest_log.cpp); parent is the ingest group.
void add_ingest_log_command(CLI::App& parent, Context& ctx);

} // namespace smtpprobe::cli
