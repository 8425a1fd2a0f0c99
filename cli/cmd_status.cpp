// `smtpprobe status` (what is wrong now, then a compact table of the rest, one screen; or
// --json with everything) and `smtpprobe note --ip IP --scope SCOPE TEXT`.
// Exit 1 when something (that the filters keep) is blocked or listed.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/status/status_report.hpp"
#include "monitor/status/status_screen.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sys/ioctl.h>
#include <unistd.h>

namespace smtpprobe::cli {

namespace {

constexpr int k_default_days = 30;

struct StatusArgs {
    std::string ip;
    std::string scope;
    std::string since;
    std::string until;
    std::string state;
    std::string node;
    std::size_t limit = 0;
    bool all = false;
};

void check_ip(const std::string& option, const std::string& ip)
{
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(ip, ec);
    if (ec) {
        throw UsageError(option + ": '" + printable(ip, 100) + "' is not an IP address");
    }
}

// "2026-11-01", "2026-11-01T08:00:00Z", or an age back from now: "30d", "12h", "90min".
std::string time_bound(const std::string& option, const std::string& text,
                       monitor::Clock::time_point now)
{
    if (auto full = monitor::parse_iso_utc(text)) {
        return monitor::iso_utc(*full);
    }
    if (auto day = monitor::parse_iso_utc(text + "T00:00:00Z"); day && text.size() == 10) {
        return monitor::iso_utc(*day);
    }
    long long amount = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), amount);
    const std::string unit(end, text.data() + text.size());
    if (ec == std::errc() && amount >= 0 && amount <= 100000 && end != text.data()) {
        const long long seconds = unit == "d"     ? 86400
                                  : unit == "h"   ? 3600
                                  : unit == "min" ? 60
                                  : unit == "s"   ? 1
                                                  : 0;
        if (seconds > 0) {
            return monitor::iso_utc(now - std::chrono::seconds(amount * seconds));
        }
    }
    throw UsageError(option + ": '" + printable(text, 60) +
                     "' is not a time: give 2026-11-01, 2026-11-01T08:00:00Z, or an age like "
                     "30d, 12h, 90min");
}

// Lines and columns of the terminal on stdout (0, 0 when it is no terminal).
std::pair<std::size_t, std::size_t> terminal_size()
{
    winsize size{};
    if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) {
        return {size.ws_row, size.ws_col};
    }
    return {0, 0};
}

// Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb.
bool use_colour()
{
    const char* no_colour = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return ::isatty(STDOUT_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0') &&
           (term == nullptr || std::string(term) != "dumb");
}

// The JSON document keeps everything, except what the user's own filters leave out.
int status_json(Context& ctx, store::Database& db, const config::Config& config,
                const evidence::StateFilter& filter, const monitor::ScreenOptions& options,
                const StatusArgs& args)
{
    monitor::StatusReport report = monitor::load_status(db, config, filter);
    std::vector<evidence::ScopeState> kept;
    for (evidence::ScopeState& s : report.scopes) {
        const std::string& t = s.last_evidence_time;
        if ((options.state && s.state != *options.state) ||
            (!args.since.empty() && t < options.window.since) ||
            (!args.until.empty() && t >= options.window.until)) {
            continue;
        }
        kept.push_back(std::move(s));
    }
    if (args.limit > 0 && kept.size() > args.limit) {
        kept.resize(args.limit);
    }
    report.scopes = std::move(kept);
    std::cout << json_text(monitor::status_json(report), 2) << "\n";
    (void)ctx;
    return report.any_blocked() ? k_exit_finding : k_exit_ok;
}

int show_status(Context& ctx, const StatusArgs& args)
{
    config::Config config = load_effective_config(ctx.global);
    const std::string path = monitor_db_path(ctx.global, config);
    evidence::StateFilter filter;
    if (!args.ip.empty()) {
        check_ip("--ip", args.ip);
        filter.ip = args.ip;
    }
    filter.scope = args.scope;
    filter.node = args.node;
    monitor::ScreenOptions options;
    options.now = monitor::now();
    if (!args.state.empty()) {
        const std::string state = args.state == "listed" ? "blocked" : args.state;
        options.state = evidence::parse_verdict(state);
        if (!options.state || state == "note") {
            throw UsageError("--state: expected blocked, clear or unknown, not '" +
                             printable(args.state, 40) + "'");
        }
    }
    if (!args.since.empty()) {
        options.window.since = time_bound("--since", args.since, options.now);
    } else if (!args.all) {
        options.window.since =
            monitor::iso_utc(options.now - std::chrono::hours(24 * k_default_days));
    }
    if (!args.until.empty()) {
        options.window.until = time_bound("--until", args.until, options.now);
    }
    options.window_label = !args.since.empty() || !args.until.empty() ? "the window"
                           : args.all                                 ? "the whole history"
                                                                      : "the last 30 days";
    options.limit = args.limit;
    const auto [lines, cols] = terminal_size();
    options.width = cols > 0 ? std::min<std::size_t>(cols, 100) : 100;
    options.width = std::max<std::size_t>(options.width, 60);
    if (args.all || (options.state && *options.state == evidence::Verdict::blocked)) {
        options.attention_limit = 0; // asked for every block
    }
    if (!args.all && args.limit == 0) {
        options.screen_lines = lines > 0 ? std::max<std::size_t>(lines - 1, 20) : 30;
    }
    options.colour = use_colour();

    if (!store::history_exists(path)) {
        // Nothing recorded yet: say so (status never creates a database).
        if (ctx.global.json) {
            std::cout << json_text(monitor::status_json({}), 2) << "\n";
        } else if (ctx.global.verbosity >= 0) {
            std::cout << "No history at " << printable(path, 300)
                      << " yet: run `smtpprobe run` (or ingest logs/bounces) first.\n";
        }
        return k_exit_ok;
    }
    // Read-only: status never writes (it runs on a database it may not write).
    store::Database db(path, store::Database::Mode::read_only);
    if (ctx.global.json) {
        return status_json(ctx, db, config, filter, options, args);
    }
    monitor::StatusScreen screen = monitor::load_status_screen(db, config, filter, options);
    const bool blocked = !screen.attention.empty();
    // -q: only what is wrong (nothing at all when nothing is).
    if (ctx.global.verbosity < 0) {
        screen.rows.clear();
        screen.rows_in_window = 0;
        screen.rows_outside_window = 0;
        screen.notes.clear();
        screen.episodes_closed = 0;
        if (!blocked && screen.findings.empty() && screen.hygiene_problems.empty() &&
            screen.silent_nodes.empty()) {
            return k_exit_ok;
        }
        options.quiet = true;
    }
    monitor::print_status_screen(std::cout, screen, options);
    std::cout.flush();
    if (!std::cout) {
        throw IncompleteError("status: cannot write the output");
    }
    return blocked ? k_exit_finding : k_exit_ok;
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
    if (!args.ip.empty()) {
        check_ip("note --ip", args.ip);
    }
    if (args.scope.size() > 200) {
        throw UsageError("note --scope: at most 200 bytes");
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
    auto args = std::make_shared<StatusArgs>();
    CLI::App* status = app.add_subcommand(
        "status", "what is blocked or listed now, since when, what to do; then the other "
                  "receivers of the last 30 days (exit 1 if anything is blocked or listed)");
    status->add_option("--ip", args->ip, "only this sending IP");
    status->add_option("--scope", args->scope,
                       "only this receiver scope; 'provider/' for all its clusters "
                       "(like microsoft-consumer/)");
    status->add_option("--since", args->since,
                       "receivers seen since: 2026-11-01, an ISO time, or an age like 7d, 12h "
                       "(default 30d)");
    status->add_option("--until", args->until, "receivers seen before this time");
    status->add_option("--state", args->state, "only blocked (or listed), clear or unknown");
    status->add_option("--node", args->node,
                       "only what this node of a fleet observed ([run] node; an unknown node "
                       "shows nothing)");
    status->add_option("--limit", args->limit, "at most N table rows (default: one screen)")
        ->check(CLI::Range(1, 100000000));
    status->add_flag("--all", args->all, "the whole history, no row limit");
    status->footer("Blocked and listed receivers are always shown, whatever --since says.\n"
                   "--json prints everything (only the filters given apply).\n"
                   "Exit codes: 0 nothing blocked; 1 something blocked or listed; 2 usage or "
                   "config error; 3 the history could not be read.");
    status->callback(
        [&ctx, args] { ctx.action = [&ctx, args] { return show_status(ctx, *args); }; });

    auto note_args = std::make_shared<NoteArgs>();
    CLI::App* note =
        app.add_subcommand("note", "add a timeline note (\"delist requested, ticket 123\")");
    note->add_option("--ip", note_args->ip, "the sending IP the note is about");
    note->add_option("--scope", note_args->scope,
                     "the receiver scope (like microsoft-consumer/eur)");
    note->add_option("TEXT", note_args->words, "the note")->required();
    note->callback([&ctx, note_args] {
        ctx.action = [&ctx, note_args] { return add_note(ctx, *note_args); };
    });
}

} // namespace smtpprobe::cli
