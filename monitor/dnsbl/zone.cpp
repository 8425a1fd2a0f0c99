// See zone.hpp. The code tables follow each list's published documentation (Spamhaus ZEN
// return codes, Mailspike reputation levels); lists that only say "listed" use 127.0.0.2.
#include "monitor/dnsbl/zone.hpp"

#include <algorithm>
#include <boost/asio/ip/address_v4.hpp>
#include <cctype>

namespace smtpprobe::dnsbl {

namespace {

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// "Spamhaus ZEN" -> "spamhaus-zen": the name as one command-line word.
std::string slug(const std::string& name)
{
    std::string out = lower(name);
    std::replace_if(
        out.begin(), out.end(), [](unsigned char c) { return std::isalnum(c) == 0; }, '-');
    return out;
}

// A DNS name of letters, digits, '-', '_' and dots; no empty label; at most 253 bytes.
bool looks_like_dns_name(const std::string& name)
{
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.' ||
        name.find('.') == std::string::npos || name.find("..") != std::string::npos) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.';
    });
}

DnsblZone spamhaus_zen()
{
    DnsblZone zone;
    zone.name = "spamhaus-zen";
    zone.zone = "zen.spamhaus.org";
    zone.delist_url = "https://check.spamhaus.org/";
    zone.dqs_zone = "zen.dq.spamhaus.net";
    zone.ipv6 = true;
    zone.codes = {
        {"127.0.0.2", {"SBL: a verified spam source or spam operation"}},
        {"127.0.0.3", {"CSS: low-reputation (snowshoe) mail seen from this address"}},
        {"127.0.0.4", {"XBL: exploited host (botnet, malware, open proxy)"}},
        {"127.0.0.5", {"XBL: exploited host"}},
        {"127.0.0.6", {"XBL: exploited host"}},
        {"127.0.0.7", {"XBL: exploited host"}},
        {"127.0.0.9", {"DROP: netblock hijacked or run by spammers (Don't Route Or Peer)"}},
        {"127.0.0.10",
         {"PBL (ISP): the network's owner says this address should not send mail directly; "
          "a policy listing, not abuse",
          CodeKind::policy}},
        {"127.0.0.11",
         {"PBL (Spamhaus): end-user/dynamic address range; a policy listing, not abuse",
          CodeKind::policy}},
    };
    return zone;
}

DnsblZone simple_zone(std::string name, std::string dns_zone, std::string meaning,
                      std::string delist_url)
{
    DnsblZone zone;
    zone.name = std::move(name);
    zone.zone = std::move(dns_zone);
    zone.delist_url = std::move(delist_url);
    zone.codes = {{"127.0.0.2", {std::move(meaning)}}};
    return zone;
}

DnsblZone mailspike()
{
    DnsblZone zone =
        simple_zone("mailspike", "bl.mailspike.net", "Z: part of a distributed spam wave right now",
                    "https://mailspike.org/iplookup.html");
    // bl.mailspike.net also answers with the reputation levels L5..L3 of rep.mailspike.net;
    // the better levels are listed for completeness (rep.mailspike.net as a custom zone).
    const std::pair<const char*, const char*> levels[] = {
        {"127.0.0.10", "L5: worst possible reputation"},
        {"127.0.0.11", "L4: very bad reputation"},
        {"127.0.0.12", "L3: bad reputation"},
        {"127.0.0.13", "L2: suspicious behaviour"},
        {"127.0.0.14", "L1: neutral, probably spam"},
    };
    for (const auto& [code, meaning] : levels) {
        zone.codes[code] = {meaning};
    }
    const std::pair<const char*, const char*> good[] = {
        {"127.0.0.15", "LH0: neutral reputation"},
        {"127.0.0.16", "H1: neutral, probably legitimate"},
        {"127.0.0.17", "H2: possibly legitimate sender"},
        {"127.0.0.18", "H3: good reputation"},
        {"127.0.0.19", "H4: very good reputation"},
        {"127.0.0.20", "H5: excellent reputation"},
    };
    for (const auto& [code, meaning] : good) {
        zone.codes[code] = {meaning, CodeKind::informational};
    }
    return zone;
}

} // namespace

std::vector<DnsblZone> default_zones()
{
    return {
        spamhaus_zen(),
        simple_zone("spamcop", "bl.spamcop.net",
                    "SpamCop: reported by SpamCop users as a spam "
                    "source (listings expire 24 h after the last report)",
                    "https://www.spamcop.net/bl.shtml"),
        simple_zone("barracuda", "b.barracudacentral.org",
                    "Barracuda BRBL: poor sending reputation at Barracuda",
                    "https://www.barracudacentral.org/rbl/removal-request"),
        simple_zone("psbl", "psbl.surriel.com", "PSBL: sent mail to spam traps",
                    "https://psbl.org/remove"),
        mailspike(),
        simple_zone("uceprotect-1", "dnsbl-1.uceprotect.net",
                    "UCEPROTECT level 1: this single address sent to spam traps",
                    "https://www.uceprotect.net/en/rblcheck.php"),
    };
}

std::string query_zone(const DnsblZone& zone)
{
    if (zone.dqs_key && !zone.dqs_key->empty()) {
        return *zone.dqs_key + "." + zone.dqs_zone;
    }
    return zone.zone;
}

std::optional<std::string> validate_zone(const DnsblZone& zone)
{
    const std::string label = zone.name.empty() ? zone.zone : zone.name;
    if (!looks_like_dns_name(zone.zone)) {
        return "DNSBL zone '" + label + "': '" + zone.zone + "' is not a DNS zone name";
    }
    for (const auto& [code, meaning] : zone.codes) {
        (void)meaning;
        boost::system::error_code ec;
        const auto address = boost::asio::ip::make_address_v4(code, ec);
        if (ec || (address.to_uint() >> 24) != 127) {
            return "DNSBL zone '" + label + "': return code '" + code +
                   "' is not an address in 127.0.0.0/8";
        }
    }
    if (zone.dqs_key) {
        if (!looks_like_dns_name(zone.dqs_zone)) {
            return "DNSBL zone '" + label + "': a DQS key needs a DQS zone";
        }
        const std::string& key = *zone.dqs_key;
        if (key.empty() || !std::all_of(key.begin(), key.end(),
                                        [](unsigned char c) { return std::isalnum(c) != 0; })) {
            return "DNSBL zone '" + label + "': the DQS key must be letters and digits";
        }
    }
    return std::nullopt;
}

std::optional<std::vector<DnsblZone>> select_zones(const std::vector<DnsblZone>& zones,
                                                   const std::vector<std::string>& wanted,
                                                   std::string* error)
{
    if (wanted.empty()) {
        return zones;
    }
    std::vector<DnsblZone> out;
    for (const std::string& raw : wanted) {
        std::string name = lower(raw);
        while (!name.empty() && name.back() == '.') {
            name.pop_back();
        }
        auto it = std::find_if(zones.begin(), zones.end(), [&](const DnsblZone& zone) {
            return lower(zone.name) == name || slug(zone.name) == name || lower(zone.zone) == name;
        });
        if (it != zones.end()) {
            out.push_back(*it);
            continue;
        }
        if (!looks_like_dns_name(name)) {
            std::string known;
            for (const DnsblZone& zone : zones) {
                known += (known.empty() ? "" : ", ") + zone.name;
            }
            if (error != nullptr) {
                *error = "unknown DNSBL zone '" + raw + "' (known: " + known +
                         "; or give a zone's DNS name)";
            }
            return std::nullopt;
        }
        DnsblZone adhoc;
        adhoc.name = name;
        adhoc.zone = name;
        adhoc.ipv6 = true; // the RFC 5782 IPv6 test entry decides at run time
        out.push_back(std::move(adhoc));
    }
    return out;
}

} // namespace smtpprobe::dnsbl
