// The built-in defaults of config.hpp: the receivers most small servers care about and the
// DNS blocklists those receivers (and many others) consult, with their return code tables.
#include "monitor/config/config.hpp"
#include "monitor/dnsbl/config_zones.hpp"

#include <algorithm>

namespace smtpprobe::config {

namespace {

// RFC 5782-style error answers some lists give instead of a listing: never "listed".
void add_error_codes(DnsblZone& zone)
{
    zone.codes.push_back({"127.255.255.252", "typing error in the DNSBL name", "error"});
    zone.codes.push_back(
        {"127.255.255.254", "query through a public/open resolver refused", "error"});
    zone.codes.push_back({"127.255.255.255", "excessive number of queries", "error"});
}

// The display name of a built-in list (its id is what `smtpprobe dnsbl --zone` also accepts).
std::string display_name(const std::string& id)
{
    static const std::pair<const char*, const char*> names[] = {
        {"spamhaus-zen", "Spamhaus ZEN"}, {"spamcop", "SpamCop"},
        {"barracuda", "Barracuda"},       {"psbl", "PSBL"},
        {"mailspike", "Mailspike"},       {"uceprotect-1", "UCEPROTECT L1"},
    };
    for (const auto& [from, to] : names) {
        if (id == from) {
            return to;
        }
    }
    return id;
}

} // namespace

// One table of lists and codes (monitor/dnsbl/zone.cpp), seen here as config entries.
std::vector<DnsblZone> default_zones()
{
    std::vector<DnsblZone> zones;
    for (const dnsbl::DnsblZone& builtin : dnsbl::default_zones()) {
        DnsblZone zone;
        zone.name = display_name(builtin.name);
        zone.zone = builtin.zone;
        zone.delist_url = builtin.delist_url;
        zone.ipv6 = builtin.ipv6;
        zone.dqs_zone = builtin.dqs_zone;
        zone.use_dqs = !builtin.dqs_zone.empty();
        for (const auto& [code, meaning] : builtin.codes) {
            zone.codes.push_back({code, meaning.meaning, dnsbl::config_kind(meaning.kind)});
        }
        add_error_codes(zone);
        zones.push_back(std::move(zone));
    }
    return zones;
}

std::vector<Receiver> default_receivers()
{
    std::vector<Receiver> list;
    Receiver outlook;
    outlook.name = "outlook.com";
    outlook.domain = "outlook.com";
    outlook.recipient = "postmaster@outlook.com";
    list.push_back(outlook);
    Receiver gmail;
    gmail.name = "gmail.com";
    gmail.domain = "gmail.com";
    gmail.recipient = "postmaster@gmail.com";
    list.push_back(gmail);
    Receiver yahoo;
    yahoo.name = "yahoo.com";
    yahoo.domain = "yahoo.com";
    yahoo.recipient = "postmaster@yahoo.com";
    list.push_back(yahoo);
    // A Microsoft 365 tenant gateway (<tenant>.mail.protection.outlook.com): blocks there
    // differ from the consumer Outlook.com clusters.
    Receiver m365;
    m365.name = "microsoft-365";
    m365.domain = "microsoft.com";
    m365.recipient = "postmaster@microsoft.com";
    list.push_back(m365);
    return list;
}

Config default_config()
{
    Config config;
    config.receivers = default_receivers();
    config.dnsbl.zones = default_zones();
    return config;
}

std::string Receiver::target() const
{
    std::string host = mx.empty() ? domain : mx;
    bool has_port =
        !host.empty() && (host.front() == '[' ? host.find("]:") != std::string::npos
                                              : std::count(host.begin(), host.end(), ':') == 1);
    if (port == 25 || has_port) {
        return host;
    }
    return (std::count(host.begin(), host.end(), ':') > 1 ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

std::chrono::seconds Receiver::fleet_spacing() const
{
    if (fleet_min_interval) {
        return *fleet_min_interval;
    }
    return std::max(std::chrono::seconds(1), min_interval / 15);
}

std::string Config::default_ip() const
{
    return identities.size() == 1 ? identities.front().ip : std::string();
}

std::string Config::dns_server_for(const std::string& flag) const
{
    return flag.empty() ? dns_server : flag;
}

std::vector<Identity> Config::identities_for(const Receiver& receiver) const
{
    std::vector<Identity> out;
    for (const Identity& identity : identities) {
        if (receiver.identities.empty()) {
            out.push_back(identity);
            continue;
        }
        for (const std::string& name : receiver.identities) {
            if (name == identity.name) {
                out.push_back(identity);
            }
        }
    }
    if (identities.empty()) {
        out.push_back(Identity{});
    }
    return out;
}

} // namespace smtpprobe::config
