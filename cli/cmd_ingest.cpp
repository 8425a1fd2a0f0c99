// `smtpprobe ingest`: the parent of the ingestion subcommands (`ingest log`, `ingest bounce`).
// ingest_command() creates the group once and returns it to whoever adds a child, so each
// child registers itself independently of the others.
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

namespace smtpprobe::cli {

CLI::App& ingest_command(CLI::App& app)
{
    auto existing = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "ingest"; });
    if (!existing.empty()) {
        return *existing.front();
    }
    CLI::App* ingest = app.add_subcommand(
        "ingest", "read real traffic into the history: MTA logs (log), bounce messages (bounce), "
                  "receivers' reports (dmarc, tlsrpt, snds)");
    ingest->require_subcommand(1);
    ingest->fallthrough(); // global options (--json, -v, --db) also after the subcommand
    return *ingest;
}

void add_ingest_command(CLI::App& app, Context& ctx)
{
    add_ingest_log_command(ingest_command(app), ctx);
    add_ingest_bounce_command(ingest_command(app), ctx);
    add_ingest_dmarc_command(ingest_command(app), ctx);
    add_ingest_tlsrpt_command(ingest_command(app), ctx);
    add_ingest_snds_command(ingest_command(app), ctx);
}

} // namespace smtpprobe::cli
