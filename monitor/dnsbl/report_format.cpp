// See report_format.hpp.
#include "monitor/dnsbl/report_format.hpp"

#include "probe/printable.hpp"

#include <algorithm>
#include <sstream>

namespace smtpprobe::dnsbl {

namespace {

std::string joined(const std::vector<std::string>& parts, const char* separator)
{
    std::string out;
    for (const std::string& part : parts) {
        out += (out.empty() ? "" : separator) + part;
    }
    return out;
}

std::string padded(const std::string& text, std::size_t width)
{
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

} // namespace

nlohmann::json report_json(const DnsblReport& report, const std::string& time)
{
    nlohmann::json out;
    out["time"] = time;
    out["ips"] = nlohmann::json::array();
    for (const IpReport& ip : report.ips) {
        nlohmann::json zones = nlohmann::json::array();
        for (const ZoneCheck& check : ip.zones) {
            zones.push_back({{"name", check.name},
                             {"zone", check.zone},
                             {"result", to_string(check.result)},
                             {"policy", check.policy},
                             {"codes", check.codes},
                             {"meaning", check.meaning},
                             {"txt", joined(check.txt, " | ")},
                             {"delist_url", check.delist_url}});
        }
        out["ips"].push_back(
            {{"ip", ip.ip.to_string()}, {"zones", zones}, {"skipped", ip.skipped}});
    }
    out["zones"] = nlohmann::json::array();
    for (const ZoneStatus& zone : report.zones) {
        out["zones"].push_back(
            {{"name", zone.name},
             {"zone", zone.zone},
             {"health", to_string(zone.v4)},
             {"ipv6_health", zone.v6_tested ? nlohmann::json(to_string(zone.v6)) : nullptr},
             {"detail", zone.detail}});
    }
    out["listed"] = report.any_listed();
    out["unknown"] = report.any_unknown();
    return out;
}

std::string report_table(const DnsblReport& report, bool verbose)
{
    std::size_t zone_width = 6;
    for (const ZoneStatus& zone : report.zones) {
        zone_width = std::max(zone_width, zone.zone.size() + 2);
    }
    std::ostringstream out;
    for (const IpReport& ip : report.ips) {
        out << ip.ip.to_string() << "\n";
        out << "  " << padded("ZONE", zone_width) << padded("RESULT", 9) << padded("CODES", 12)
            << "MEANING\n";
        for (const ZoneCheck& check : ip.zones) {
            std::string result = to_string(check.result);
            if (check.policy) {
                result += "*";
            }
            out << "  " << padded(check.zone, zone_width) << padded(result, 9)
                << padded(check.codes.empty() ? "-" : joined(check.codes, ","), 12)
                << printable(check.meaning, 300) << "\n";
            if (check.result == Listing::listed && !check.delist_url.empty()) {
                out << "  " << std::string(zone_width + 21, ' ') << "delist: " << check.delist_url
                    << "\n";
            }
            if ((verbose || check.result == Listing::listed) && !check.txt.empty()) {
                for (const std::string& txt : check.txt) {
                    out << "  " << std::string(zone_width + 21, ' ')
                        << "txt: " << printable(txt, 300) << "\n";
                }
            }
        }
        for (const std::string& skipped : ip.skipped) {
            out << "  (skipped " << skipped << ")\n";
        }
    }
    bool policy_note = false;
    for (const IpReport& ip : report.ips) {
        for (const ZoneCheck& check : ip.zones) {
            policy_note = policy_note || check.policy;
        }
    }
    if (policy_note) {
        out << "* policy listing (e.g. Spamhaus PBL): the address is not accused of abuse, but "
               "receivers refuse direct mail from it.\n";
    }
    auto broken = [](ZoneHealth health) {
        return health == ZoneHealth::dead || health == ZoneHealth::lists_everything;
    };
    for (const ZoneStatus& zone : report.zones) {
        const bool v6_broken = zone.v6_tested && broken(zone.v6);
        if (broken(zone.v4) || v6_broken) {
            const char* which = broken(zone.v4) && v6_broken ? "its answers"
                                : broken(zone.v4)            ? "its IPv4 answers"
                                                             : "its IPv6 answers";
            out << "zone " << zone.zone << ": " << zone.detail << "; " << which
                << " count as unknown\n";
        } else if (verbose && (zone.v4 != ZoneHealth::ok || zone.v6_tested)) {
            out << "zone " << zone.zone << ": IPv4 test entries " << to_string(zone.v4);
            if (zone.v6_tested) {
                out << ", IPv6 " << to_string(zone.v6);
            }
            out << (zone.detail.empty() ? "" : " (" + zone.detail + ")") << "\n";
        }
    }
    return out.str();
}

} // namespace smtpprobe::dnsbl
