// The built-in defaults of config.hpp: the receivers most small servers care about and the
// DNS blocklists those receivers (and many others) consult, with their return code tables.
#include "monitor/config/config.hpp"

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

DnsblZone spamhaus_zen()
{
    DnsblZone z;
    z.name = "Spamhaus ZEN";
    z.zone = "zen.spamhaus.org";
    z.delist_url = "https://check.spamhaus.org/";
    z.codes = {
        {"127.0.0.2", "SBL: Spamhaus SBL data (spam source or support)", "listed"},
        {"127.0.0.3", "SBL CSS: snowshoe/low-reputation sending", "listed"},
        {"127.0.0.4", "XBL: exploited host (CBL: bot, proxy, malware)", "listed"},
        {"127.0.0.9", "SBL DROP/EDROP: hijacked or criminal netblock", "listed"},
        {"127.0.0.10", "PBL (ISP maintained): dynamic/end-user range, policy not abuse", "policy"},
        {"127.0.0.11", "PBL (Spamhaus maintained): should not send direct mail, policy not abuse",
         "policy"},
    };
    add_error_codes(z);
    z.ipv6 = true;
    z.dqs_zone = "zen.dq.spamhaus.net";
    z.use_dqs = true;
    return z;
}

DnsblZone simple_zone(std::string name, std::string zone, std::string delist, std::string meaning)
{
    DnsblZone z;
    z.name = std::move(name);
    z.zone = std::move(zone);
    z.delist_url = std::move(delist);
    z.codes = {{"127.0.0.2", std::move(meaning), "listed"}};
    add_error_codes(z);
    return z;
}

} // namespace

std::vector<DnsblZone> default_zones()
{
    std::vector<DnsblZone> zones;
    zones.push_back(spamhaus_zen());
    zones.push_back(simple_zone("SpamCop", "bl.spamcop.net", "https://www.spamcop.net/bl.shtml",
                                "reported by SpamCop users (expires 24 h after the last report)"));
    zones.push_back(simple_zone("Barracuda", "b.barracudacentral.org",
                                "https://www.barracudacentral.org/rbl/removal-request",
                                "Barracuda Reputation Block List"));
    zones.push_back(simple_zone("PSBL", "psbl.surriel.com", "https://psbl.org/remove",
                                "Passive Spam Block List: sent to spam traps"));
    DnsblZone mailspike =
        simple_zone("Mailspike", "bl.mailspike.net", "https://mailspike.org/anubis/lookup.html",
                    "Mailspike blacklist");
    mailspike.codes.push_back({"127.0.0.10", "Mailspike L5: worst reputation", "listed"});
    mailspike.codes.push_back({"127.0.0.11", "Mailspike L4: very bad reputation", "listed"});
    mailspike.codes.push_back({"127.0.0.12", "Mailspike L3: bad reputation", "listed"});
    mailspike.codes.push_back({"127.0.0.13", "Mailspike L2: suspicious reputation", "policy"});
    mailspike.codes.push_back({"127.0.0.14", "Mailspike L1: slightly suspicious", "policy"});
    zones.push_back(std::move(mailspike));
    DnsblZone uce = simple_zone("UCEPROTECT L1", "dnsbl-1.uceprotect.net",
                                "https://www.uceprotect.net/en/rblcheck.php",
                                "UCEPROTECT level 1: this IP sent to their traps (expires in 7 "
                                "days without new reports)");
    uce.ipv6 = false;
    zones.push_back(std::move(uce));
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

std::string Config::default_ip() const
{
    return identities.size() == 1 ? identities.front().ip : std::string();
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
