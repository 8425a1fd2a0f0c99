// The DNSBL part of a tick: every identity IP whose DNSBL check is due is checked against
// every configured zone at once (monitor/dnsbl, with the RFC 5782 test entries), stored in
// dnsbl_check, and each answer becomes evidence of scope "dnsbl/<zone>": listed → blocked
// (a policy listing such as the PBL too, reason "policy-listed"), clean → clear, unknown
// (error answers, timeouts, dead zones) → unknown, which changes nothing.
#include "monitor/dnsbl/checker.hpp"
#include "monitor/dnsbl/config_zones.hpp"
#include "monitor/dnsbl/dnsbl_store.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/run/run_schedule.hpp"
#include "probe/printable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace smtpprobe::monitor {

namespace {

namespace asio = boost::asio;

std::string join(const std::vector<std::string>& items, const char* separator)
{
    std::string out;
    for (const std::string& item : items) {
        out += (out.empty() ? "" : separator) + item;
    }
    return out;
}

} // namespace

PartResult run_due_dnsbl(TickContext& tick)
{
    PartResult part{"dnsbl", false, true, ""};
    std::vector<asio::ip::address> ips;
    std::vector<std::string> tasks;
    for (const config::Identity& identity : tick.config.identities) {
        std::string task = "dnsbl:" + identity.ip;
        if (tick.force || task_due(tick.db, task, tick.now)) {
            ips.push_back(asio::ip::make_address(identity.ip));
            tasks.push_back(task);
        }
    }
    if (tick.config.identities.empty()) {
        part.detail = "no [[identity]] IP configured";
        return part;
    }
    if (ips.empty()) {
        part.detail = "none due";
        return part;
    }
    std::vector<dnsbl::DnsblZone> zones = dnsbl::zones_from_config(tick.config);
    if (zones.empty()) {
        part.detail = "no zones configured";
        return part;
    }
    asio::io_context io;
    dns::ResolverOptions resolver_options;
    if (!tick.dns_server.empty()) {
        std::string error;
        resolver_options.server = dns::parse_server_address(tick.dns_server, &error);
        if (!resolver_options.server) {
            throw std::runtime_error("dns_server: " + error);
        }
    }
    dns::Resolver resolver(io.get_executor(), resolver_options);
    std::optional<dnsbl::DnsblReport> report;
    std::string failure;
    asio::co_spawn(io, dnsbl::check_dnsbl(resolver, ips, zones),
                   [&](std::exception_ptr e, dnsbl::DnsblReport r) {
                       if (e) {
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& error) {
                               failure = error.what();
                           }
                       } else {
                           report = std::move(r);
                       }
                   });
    io.run();
    if (!report) {
        throw std::runtime_error("DNSBL check failed: " + failure);
    }
    std::string time = iso_utc(tick.now);
    std::vector<std::int64_t> ids = dnsbl::store_dnsbl_report(tick.db, *report, time);
    std::size_t next_id = 0;
    int listed = 0;
    int unknown = 0;
    store::Transaction tx(tick.db);
    for (const dnsbl::IpReport& ip : report->ips) {
        for (const dnsbl::ZoneCheck& check : ip.zones) {
            if (next_id >= ids.size()) {
                break;
            }
            std::int64_t id = ids[next_id++];
            std::string verdict = "unknown";
            std::string reason = check.meaning;
            if (check.result == dnsbl::Listing::listed) {
                verdict = "blocked";
                reason = check.policy ? "policy-listed" : "listed";
                ++listed;
            } else if (check.result == dnsbl::Listing::clean) {
                verdict = "clear";
                reason = "not listed";
            } else {
                ++unknown;
            }
            tick.db
                .prepare("INSERT OR IGNORE INTO evidence(time, ip, scope, verdict, reason, "
                         "provider_code, source_kind, source_id) "
                         "VALUES (?, ?, ?, ?, ?, ?, 'dnsbl', ?)")
                .bind(1, time)
                .bind(2, ip.ip.to_string())
                .bind(3, "dnsbl/" + check.zone)
                .bind(4, verdict)
                .bind(5, printable(reason, 300))
                .bind(6, join(check.codes, ","))
                .bind(7, id)
                .run();
        }
    }
    for (const std::string& task : tasks) {
        task_done(tick.db, task, tick.now, {tick.config.dnsbl.interval, {}, {}},
                  listed ? "listed" : "ok");
    }
    tx.commit();
    part.ran = true;
    part.detail = std::to_string(ips.size()) + " IPs x " + std::to_string(zones.size()) +
                  " zones: " + std::to_string(listed) + " listed, " + std::to_string(unknown) +
                  " unknown";
    for (const dnsbl::ZoneStatus& zone : report->zones) {
        if (zone.v4 == dnsbl::ZoneHealth::dead || zone.v4 == dnsbl::ZoneHealth::lists_everything) {
            part.detail += "; zone " + zone.zone + " " + dnsbl::to_string(zone.v4);
        }
    }
    return part;
}

} // namespace smtpprobe::monitor
