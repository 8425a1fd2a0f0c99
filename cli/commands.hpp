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

// `smtpprobe probe TARGET...` (cmd_probe.cpp).
void add_probe_command(CLI::App& app, Context& ctx);
// `smtpprobe dsn-test HOST[:PORT]` and the global `--dsn-test HOST[:PORT]` (cmd_dsn_test.cpp).
void add_dsn_test_command(CLI::App& app, Context& ctx);

} // namespace smtpprobe::cli
