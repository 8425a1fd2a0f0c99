// smtpprobe entry point: parse the command line, run the chosen subcommand, map failures to
// the exit codes of DESIGN.md with one clear line on stderr.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "monitor/store/database.hpp"
#include "probe/log.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <iostream>

namespace {

// A failure as one line on stderr ("smtpprobe: what"); under systemd with journald's error
// priority, so `journalctl -p err` shows it.
void fail_line(const std::string& what)
{
    std::cerr << (smtpprobe::log::to_journal() ? "<3>" : "") << "smtpprobe: " << what << "\n";
}

} // namespace

int main(int argc, char** argv)
{
    using namespace smtpprobe::cli;
    // A closed stdout (smtpprobe ... | head) must end us with an error, not kill us silently.
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app;
    Context ctx;
    build_app(app, ctx);
    const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    try {
        if (auto code = run_help_command(app, args)) {
            return *code;
        }
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return k_exit_ok;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return k_exit_ok;
    } catch (const CLI::CallForVersion& e) {
        std::cout << e.what() << "\n";
        return k_exit_ok;
    } catch (const CLI::ParseError& e) {
        // A mistyped command reads better as itself than as CLI11's "A subcommand is
        // required" or "argument was not expected".
        if (auto unknown = unknown_command(app, args)) {
            fail_line(*unknown + " (see smtpprobe help)");
        } else {
            fail_line(std::string(e.what()) + " (see smtpprobe --help)");
        }
        return k_exit_usage;
    } catch (const UsageError& e) {
        fail_line(e.what());
        return k_exit_usage;
    }
    smtpprobe::log::set_verbosity(ctx.global.verbosity);
    if (!ctx.action) {
        std::cout << app.help();
        return k_exit_usage;
    }
    try {
        return ctx.action();
    } catch (const UsageError& e) {
        fail_line(e.what());
        return k_exit_usage;
    } catch (const IncompleteError& e) {
        fail_line(e.what());
        return k_exit_incomplete;
    } catch (const smtpprobe::store::StoreError& e) {
        fail_line(std::string("database: ") + e.what());
        return k_exit_incomplete;
    } catch (const std::exception& e) {
        fail_line(e.what());
        return k_exit_incomplete;
    }
}
