// `smtpprobe run [--now]`: one cron tick (monitor/run/run_tick.hpp). Exit 0 all clear, 1
// something blocked or listed, 2 config error, 3 a part failed (named on stderr) or another
// run holds the lock.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/run/run_lock.hpp"
#include "monitor/run/run_tick.hpp"
#include "probe/log.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {

namespace {

int run_once(Context& ctx, bool force, const std::string& snds_url)
{
    config::Config config = load_effective_config(ctx.global);
    std::string db_file = monitor_db_path(ctx.global, config);
    monitor::RunLock lock(db_file, monitor::node_name(config));
    if (!lock.held()) {
        log::error("run: another smtpprobe run holds ", lock.path(), "; not starting (exit ",
                   monitor::k_exit_locked, ")");
        return monitor::k_exit_locked;
    }
    store::Database db(db_file);
    monitor::RunReport report =
        monitor::run_tick(db, config, {ctx.global.dns_server, force, snds_url});
    if (ctx.global.json) {
        std::cout << json_text(report.to_json(), 2) << "\n";
    } else if (ctx.global.verbosity >= 0 || report.exit_code() != 0) {
        std::cout << report.to_text();
    }
    // A failed part was logged (error priority) by run_tick itself.
    return report.exit_code();
}

} // namespace

void add_run_command(CLI::App& app, Context& ctx)
{
    auto force = std::make_shared<bool>(false);
    auto snds_url = std::make_shared<std::string>();
    CLI::App* run = app.add_subcommand(
        "run", "one cron tick: due probes, DNSBL checks, ingest, episodes, alerts (exit 0 all "
               "clear, 1 blocked/listed, 2 config, 3 a part failed or another run is active)");
    run->add_flag("--now", *force,
                  "ignore the schedule: probe and check everything now "
                  "(still never more often than a receiver's min_interval)");
    run->add_option("--snds-url", *snds_url,
                    "fetch the SNDS feeds from this https:// base URL instead of [snds] url "
                    "(a local test server)");
    run->fallthrough();
    run->callback([&ctx, force, snds_url] {
        ctx.action = [&ctx, force, snds_url] { return run_once(ctx, *force, *snds_url); };
    });
}

} // namespace smtpprobe::cli
