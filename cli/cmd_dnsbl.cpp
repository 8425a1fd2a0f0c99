// `smtpprobe dnsbl IP|HOST... [--zone NAME...]`: checks addresses (a host name's A and AAAA
// addresses) against DNS blocklists (the
// configuration's zones — [[dnsbl.zone]] and the built-in ones it keeps — or those named),
// prints a table or one JSON document (--json), stores the
// results as evidence unless --no-store (so `status` shows them). Exit 0 clean, 1 listed
// somewhere, 2 usage, 3 could not complete (a host name that does not resolve, some answer
// unknown: timeout, error answer, broken zone).
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
#include <cctype>
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

// A host name: letters, digits, '-', '.' in labels of 1 to 63 bytes (RFC 1123), at most 253.
bool is_host_name(const std::string& text)
{
    if (text.empty() || text.size() > 253 || text.front() == '.' || text.front() == '-') {
        return false;
    }
    std::size_t label = 0;
    for (char c : text) {
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
            if (++label > 63) {
                return false;
            }
        } else {
            return false;
        }
    }
    return true;
}

// The addresses to check: each argument an IP, or a host name resolved to its A and AAAA
// records (every address is checked). A name that does not resolve could not be checked.
boost::asio::awaitable<std::vector<boost::asio::ip::address>>
resolve_targets(dns::Resolver& resolver, std::vector<std::string> texts)
{
    std::vector<boost::asio::ip::address> ips;
    for (const std::string& text : texts) {
        boost::system::error_code ec;
        auto address = boost::asio::ip::make_address(text, ec);
        if (!ec) {
            ips.push_back(address);
            continue;
        }
        dns::Answer a = co_await resolver.query_a(text);
        dns::Answer aaaa = co_await resolver.query_aaaa(text);
        if (a.status == dns::Status::nxdomain) {
            throw IncompleteError("dnsbl: " + printable(text, 100) +
                                  ": no such host name (NXDOMAIN)");
        }
        const bool answered = a.status == dns::Status::ok || aaaa.status == dns::Status::ok;
        if (!answered) {
            const dns::Answer& failed =
                a.status == dns::Status::nodata ? aaaa : a; // the more telling failure
            throw IncompleteError(
                "dnsbl: " + printable(text, 100) + ": cannot resolve its address: " +
                (failed.status == dns::Status::nodata
                     ? std::string("no A or AAAA record")
                     : printable(failed.error.empty() ? "DNS error" : failed.error, 200)));
        }
        for (const auto* answer : {&a, &aaaa}) {
            ips.insert(ips.end(), answer->addresses.begin(), answer->addresses.end());
        }
    }
    co_return ips;
}

void check_targets(const std::vector<std::string>& texts)
{
    for (const std::string& text : texts) {
        boost::system::error_code ec;
        (void)boost::asio::ip::make_address(text, ec);
        if (ec && !is_host_name(text)) {
            throw UsageError("dnsbl: '" + printable(text, 100) +
                             "' is neither an IP address nor a host name");
        }
    }
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
    check_targets(args.ips);
    const config::Config config = load_effective_config(ctx.global);
    const auto zones = chosen_zones(config, args);
    const dns::ResolverOptions options = resolver_options(ctx.global, config, args.timeout_ms);
    // A named history must exist before any query is sent.
    const std::string db_file = args.no_store ? std::string() : monitor_db_path(ctx.global, config);

    boost::asio::io_context io;
    dns::Resolver resolver(io.get_executor(), options);
    std::optional<dnsbl::DnsblReport> report;
    std::exception_ptr failure;
    auto check = [&]() -> boost::asio::awaitable<dnsbl::DnsblReport> {
        std::vector<boost::asio::ip::address> ips = co_await resolve_targets(resolver, args.ips);
        co_return co_await dnsbl::check_dnsbl(resolver, std::move(ips), zones);
    };
    boost::asio::co_spawn(io, check(), [&](std::exception_ptr error, dnsbl::DnsblReport result) {
        failure = error;
        report = std::move(result);
    });
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    const std::string time = utc_now_iso();
    if (!args.no_store) {
        // Through the evidence module's one writer, folded: the answers reach `status`.
        store::Database db(db_file);
        dnsbl::record_dnsbl_report(db, config, *report, time);
    }
    if (ctx.global.json) {
        std::cout << json_text(dnsbl::report_json(*report, time), 2) << "\n";
    } else if (ctx.global.verbosity < 0) {
        // -q: only the listings and the lists that could not be checked.
        dnsbl::DnsblReport wrong = *report;
        for (dnsbl::IpReport& ip : wrong.ips) {
            std::erase_if(ip.zones, [](const dnsbl::ZoneCheck& z) {
                return z.result == dnsbl::Listing::clean;
            });
            ip.skipped.clear();
        }
        std::erase_if(wrong.ips, [](const dnsbl::IpReport& ip) { return ip.zones.empty(); });
        if (!wrong.ips.empty()) {
            std::cout << dnsbl::report_table(wrong, false);
        }
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
    cmd->add_option("ip", args->ips,
                    "IPv4 or IPv6 addresses, or host names (each of their A and AAAA "
                    "addresses is checked)")
        ->required();
    cmd->add_option("--zone", args->zones,
                    "only these lists: a zone's name in the config, written as is or as one "
                    "word (built-in: spamhaus-zen, spamcop, barracuda, psbl, mailspike, "
                    "uceprotect-l1), its DNS zone, or any other DNSBL zone's DNS name; "
                    "repeatable or comma-separated (default: every zone of the config)")
        // One value per --zone: `--zone spamcop IP1 IP2` leaves IP1 and IP2 to the addresses.
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all()
        ->delimiter(',');
    cmd->add_option("--dqs-key", args->dqs_key,
                    "Spamhaus DQS key (or $SMTPPROBE_SPAMHAUS_DQS_KEY, or [dnsbl] dqs_key): query "
                    "<key>.zen.dq.spamhaus.net instead of zen.spamhaus.org");
    cmd->add_option("--timeout", args->timeout_ms, "DNS timeout of the first try, milliseconds")
        ->check(CLI::Range(50, 60000));
    cmd->add_flag("--no-store", args->no_store, "do not record the results in the database");
    cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_dnsbl(ctx, *args); }; });
}

} // namespace smtpprobe::cli
