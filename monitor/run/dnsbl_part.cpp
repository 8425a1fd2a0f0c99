// The DNSBL part of a tick: every identity IP whose DNSBL check is due is checked against
// every configured zone at once (monitor/dnsbl, with the RFC 5782 test entries), stored in
// dnsbl_check, and each answer becomes evidence of scope "dnsbl/<zone>": listed → blocked
// (a policy listing such as the PBL too, reason "policy-listed"), clean → clear, unknown
// (error answers, timeouts, dead zones) → unknown, which changes nothing.
#include "monitor/dnsbl/checker.hpp"
#include "monitor/dnsbl/config_zones.hpp"
#include "monitor/dnsbl/dnsbl_store.hpp"
#include "monitor/evidence/state_query.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/run/run_schedule.hpp"
#include "probe/printable.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace smtpprobe::monitor {

namespace {

namespace asio = boost::asio;

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
    // A list a receiver named in a refusal ("blocked using bl.example.org") is an open
    // dnsbl/ episode (evidence policy, rule 2) that only the list's own answer can close:
    // ask it too, as an ad-hoc zone (any 127/8 answer: listed), when it is not configured.
    evidence::StateFilter lists;
    lists.scope = "dnsbl/";
    for (const evidence::ScopeState& s : evidence::read_state(tick.db, tick.config, lists).scopes) {
        if (s.state != evidence::Verdict::blocked) {
            continue;
        }
        const std::string name = s.scope.substr(6);
        const bool known = std::any_of(zones.begin(), zones.end(),
                                       [&](const dnsbl::DnsblZone& z) { return z.zone == name; });
        dnsbl::DnsblZone zone;
        zone.name = name;
        zone.zone = name;
        if (!known && !dnsbl::validate_zone(zone)) {
            zones.push_back(std::move(zone));
        }
    }
    if (zones.empty()) {
        part.detail = "no zones configured";
        return part;
    }
    asio::io_context io;
    dns::Resolver resolver(io.get_executor(), dns::resolver_options(tick.dns_server));
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
    const std::string time = iso_utc(tick.now);
    const dnsbl::RecordCounts counts =
        dnsbl::record_dnsbl_report(tick.db, tick.config, *report, time);
    const int listed = counts.listed;
    const int unknown = counts.unknown;
    for (const std::string& task : tasks) {
        task_done(tick.db, task, tick.now, {tick.config.dnsbl.interval, {}, {}},
                  listed ? "listed" : "ok");
    }
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
