// `smtpprobe ingest`: the parent of the ingestion subcommands (`log`, `bounce`). Each child
// registers itself on the parent through its own add_ingest_<name>_command().
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

namespace smtpprobe::cli {

void add_ingest_command(CLI::App& app, Context& ctx)
{
    CLI::App* ingest = app.add_subcommand("ingest", "read evidence: MTA logs, bounce messages");
    ingest->require_subcommand(1);
    ingest->fallthrough(); // global options (--json, -v, --db) also after the subcommand
    add_ingest_bounce_command(*ingest, ctx);
}

} // namespace smtpprobe::cli
