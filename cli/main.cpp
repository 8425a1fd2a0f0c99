// smtpprobe entry point: parse the command line, run the chosen subcommand, map failures to
// the exit codes of DESIGN.md with one clear line on stderr.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "monitor/store/database.hpp"
#include "probe/log.hpp"

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

int main(int argc, char** argv)
{
    using namespace smtpprobe::cli;
    // A closed stdout (smtpprobe ... | head) must end us with an error, not kill us silently.
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app;
    Context ctx;
    build_app(app, ctx);
    try {
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
        std::cerr << "smtpprobe: " << e.what() << " (see smtpprobe --help)\n";
        return k_exit_usage;
    } catch (const UsageError& e) {
        std::cerr << "smtpprobe: " << e.what() << "\n";
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
        std::cerr << "smtpprobe: " << e.what() << "\n";
        return k_exit_usage;
    } catch (const IncompleteError& e) {
        std::cerr << "smtpprobe: " << e.what() << "\n";
        return k_exit_incomplete;
    } catch (const smtpprobe::store::StoreError& e) {
        std::cerr << "smtpprobe: database: " << e.what() << "\n";
        return k_exit_incomplete;
    } catch (const std::exception& e) {
        std::cerr << "smtpprobe: " << e.what() << "\n";
        return k_exit_incomplete;
    }
}
