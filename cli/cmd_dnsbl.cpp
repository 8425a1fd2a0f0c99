// `smtpprobe dnsbl IP... [--zone NAME...]`: checks addresses against DNS blocklists (the
// configuration's zones — [[dnsbl.zone]] and the built-in ones it keeps — or those named),
// prints a table or one JSON document (--json), stores the
// results unless --no-store. Exit 0 clean, 1 listed somewhere, 2 usage, 3 could not complete
// (some answer unknown: timeout, error answer, broken zone).
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/dnsbl/checker.hpp"
#include "monitor/dnsbl/config_zones.hpp"
#include "monitor/dnsbl/dnsbl_store.hpp"
#include "monitor/dnsbl/report_format.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"
#include "probe/text/utc_time.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {

namespace {

struct DnsblArgs {
    std::vector<std::string> ips;
    std::vector<std::string> zones;
    std::string dqs_key;
    int timeout_ms = 3000;
    bool no_store = false;
};

// --dns-server, else the config's dns_server, else the system's resolver.
dns::ResolverOptions resolver_options(const GlobalOptions& global, const config::Config& config,
                                      int timeout_ms)
{
    dns::ResolverOptions options;
    try {
        options = dns::resolver_options(config.dns_server_for(global.dns_server));
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    options.timeout = std::chrono::milliseconds(timeout_ms);
    return options;
}

std::vector<boost::asio::ip::address> parse_ips(const std::vector<std::string>& texts)
{
    std::vector<boost::asio::ip::address> ips;
    for (const std::string& text : texts) {
        boost::system::error_code ec;
        ips.push_back(boost::asio::ip::make_address(text, ec));
        if (ec) {
            throw UsageError("dnsbl: '" + printable(text, 100) + "' is not an IP address");
        }
    }
    return ips;
}

std::vector<dnsbl::DnsblZone> chosen_zones(const config::Config& config, const DnsblArgs& args)
{
    std::string error;
    auto zones = dnsbl::select_zones(dnsbl::zones_from_config(config), args.zones, &error);
    if (!zones) {
        throw UsageError("dnsbl: " + error);
    }
    std::string key = args.dqs_key;
    if (key.empty()) {
        const char* env = std::getenv("SMTPPROBE_SPAMHAUS_DQS_KEY");
        key = env != nullptr ? env : config.dnsbl.dqs_key;
    }
    for (dnsbl::DnsblZone& zone : *zones) {
        if (!key.empty() && !zone.dqs_zone.empty()) {
            zone.dqs_key = key;
        }
        if (auto problem = dnsbl::validate_zone(zone)) {
            throw UsageError(*problem);
        }
    }
    return *zones;
}

int run_dnsbl(const Context& ctx, const DnsblArgs& args)
{
    const auto ips = parse_ips(args.ips);
    const config::Config config = load_effective_config(ctx.global);
    const auto zones = chosen_zones(config, args);
    const dns::ResolverOptions options = resolver_options(ctx.global, config, args.timeout_ms);

    boost::asio::io_context io;
    dns::Resolver resolver(io.get_executor(), options);
    std::optional<dnsbl::DnsblReport> report;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, dnsbl::check_dnsbl(resolver, ips, zones),
                          [&](std::exception_ptr error, dnsbl::DnsblReport result) {
                              failure = error;
                              report = std::move(result);
                          });
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    const std::string time = utc_now_iso();
    if (!args.no_store) {
        store::Database db(monitor_db_path(ctx.global, config));
        dnsbl::record_dnsbl_report(db, config, *report, time);
    }
    if (ctx.global.json) {
        std::cout << json_text(dnsbl::report_json(*report, time), 2) << "\n";
    } else {
        std::cout << dnsbl::report_table(*report, ctx.global.verbosity > 0);
    }
    if (report->any_listed()) {
        return k_exit_finding;
    }
    if (report->any_unknown()) {
        if (!ctx.global.json) {
            std::cerr << "smtpprobe: dnsbl: some lists could not be checked (unknown above)\n";
        }
        return k_exit_incomplete;
    }
    return k_exit_ok;
}

} // namespace

void add_dnsbl_command(CLI::App& app, Context& ctx)
{
    auto args = std::make_shared<DnsblArgs>();
    CLI::App* cmd = app.add_subcommand(
        "dnsbl", "check IP addresses against DNS blocklists (exit 1 if listed, 3 if unknown)");
    cmd->fallthrough(); // global options (--json, --dns-server, --db) also after "dnsbl"
    cmd->add_option("ip", args->ips, "IPv4 or IPv6 addresses to check")->required();
    cmd->add_option("--zone", args->zones,
                    "only these lists: a zone's name in the config, written as is or as one "
                    "word (built-in: spamhaus-zen, spamcop, barracuda, psbl, mailspike, "
                    "uceprotect-l1), its DNS zone, or any other DNSBL zone's DNS name; "
                    "repeatable (default: every zone of the config)");
    cmd->add_option("--dqs-key", args->dqs_key,
                    "Spamhaus DQS key (or $SMTPPROBE_SPAMHAUS_DQS_KEY, or [dnsbl] dqs_key): query "
                    "<key>.zen.dq.spamhaus.net instead of zen.spamhaus.org");
    cmd->add_option("--timeout", args->timeout_ms, "DNS timeout of the first try, milliseconds")
        ->check(CLI::Range(50, 60000));
    cmd->add_flag("--no-store", args->no_store, "do not record the results in the database");
    cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_dnsbl(ctx, *args); }; });
}

} // namespace smtpprobe::cli
