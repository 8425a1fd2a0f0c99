// `smtpprobe status` (state per sending IP x scope, episodes, findings, notes; --json) and
// `smtpprobe note --ip IP --scope SCOPE TEXT`. Exit 1 when something is blocked or listed.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/status/status_report.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {

namespace {

int show_status(Context& ctx)
{
    config::Config config = load_effective_config(ctx.global);
    const std::string path = monitor_db_path(ctx.global, config);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        // Nothing recorded yet: say so (status never creates a database).
        if (ctx.global.json) {
            std::cout << json_text(monitor::status_json({}), 2) << "\n";
        } else {
            std::cout << "No history at " << printable(path, 300)
                      << " yet: run `smtpprobe run` (or ingest logs/bounces) first.\n";
        }
        return k_exit_ok;
    }
    // Read-only: status never writes (it runs on a database it may not write).
    store::Database db(path, store::Database::Mode::read_only);
    monitor::StatusReport report = monitor::load_status(db, config);
    if (ctx.global.json) {
        std::cout << json_text(monitor::status_json(report), 2) << "\n";
    } else {
        monitor::print_status(std::cout, report);
    }
    return report.any_blocked() ? k_exit_finding : k_exit_ok;
}

struct NoteArgs {
    std::string ip;
    std::string scope;
    std::vector<std::string> words;
};

int add_note(Context& ctx, const NoteArgs& args)
{
    std::string text;
    for (const std::string& word : args.words) {
        text += (text.empty() ? "" : " ") + word;
    }
    if (text.empty() || text.size() > 4000) {
        throw UsageError("note: give the note text (1 to 4000 bytes)");
    }
    config::Config config = load_effective_config(ctx.global);
    store::Database db(monitor_db_path(ctx.global, config));
    std::int64_t id = monitor::add_note(db, args.ip, args.scope, text);
    episodes::update_episodes(db, config); // the note is on the timeline at once
    if (ctx.global.json) {
        std::cout << json_text(nlohmann::json{
                         {"id", id}, {"ip", args.ip}, {"scope", args.scope}, {"text", text}})
                  << "\n";
    } else if (ctx.global.verbosity >= 0) {
        std::cout << "note " << id << " added\n";
    }
    return k_exit_ok;
}

} // namespace

void add_status_command(CLI::App& app, Context& ctx)
{
    CLI::App* status = app.add_subcommand(
        "status", "current state per sending IP x receiver scope, episodes, findings, notes "
                  "(exit 1 if anything is blocked or listed)");
    status->fallthrough();
    status->callback([&ctx] { ctx.action = [&ctx] { return show_status(ctx); }; });

    auto args = std::make_shared<NoteArgs>();
    CLI::App* note =
        app.add_subcommand("note", "add a timeline note (\"delist requested, ticket 123\")");
    note->add_option("--ip", args->ip, "the sending IP the note is about");
    note->add_option("--scope", args->scope, "the receiver scope (like microsoft-consumer/eur)");
    note->add_option("TEXT", args->words, "the note")->required();
    note->fallthrough();
    note->callback([&ctx, args] { ctx.action = [&ctx, args] { return add_note(ctx, *args); }; });
}

} // namespace smtpprobe::cli
