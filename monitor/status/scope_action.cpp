// "What to do" per scope (see scope_action.hpp).
#include "monitor/status/scope_action.hpp"

namespace smtpprobe::monitor {

namespace {

std::string dnsbl_action(const config::Config& config, const std::string& zone_name,
                         const std::string& state)
{
    for (const config::DnsblZone& zone : config.dnsbl.zones) {
        if (zone.zone == zone_name || zone.name == zone_name) {
            if (state == "blocked") {
                return zone.delist_url.empty()
                           ? "listed by " + zone.name + ": find and fix the cause, then ask " +
                                 zone.name + " for removal"
                           : "listed by " + zone.name +
                                 ": fix the cause, then request removal at " + zone.delist_url;
            }
            break;
        }
    }
    if (state == "blocked") {
        return "listed: find and fix the cause, then request removal from " + zone_name;
    }
    return state == "clear" ? "none" : "wait for the next DNSBL check";
}

std::string fallback_action(const ScopeFacts& facts)
{
    if (facts.state == "clear") {
        return "none";
    }
    if (facts.state == "unknown") {
        return "wait for conclusive evidence (next probe or delivery)";
    }
    std::string provider = facts.scope.substr(0, facts.scope.find('/'));
    if (provider == "microsoft-consumer") {
        return "request delisting at https://sender.office.com/ and open a ticket at "
               "https://olcsupport.office.com/ (quote the code " +
               (facts.provider_code.empty() ? std::string("from the bounce")
                                            : facts.provider_code) +
               ")";
    }
    if (provider == "microsoft-365") {
        return "request delisting at https://sender.office.com/ (Microsoft 365 delist portal)";
    }
    if (provider == "google") {
        return "check https://postmaster.google.com/ and the sender guidelines, then wait";
    }
    if (provider == "yahoo") {
        return "check https://senders.yahooinc.com/ and open a sender support request";
    }
    return "read the receiver's reply, fix the cause, and contact the receiver's postmaster";
}

} // namespace

std::string scope_action(store::Database& db, const config::Config& config, const ScopeFacts& facts)
{
    (void)db;
    if (facts.scope.rfind("dnsbl/", 0) == 0) {
        return dnsbl_action(config, facts.scope.substr(6), facts.state);
    }
    return fallback_action(facts);
}

} // namespace smtpprobe::monitor
