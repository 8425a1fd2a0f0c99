// See config_zones.hpp.
#include "monitor/dnsbl/config_zones.hpp"

namespace smtpprobe::dnsbl {

std::vector<DnsblZone> zones_from_config(const config::Config& config)
{
    std::vector<DnsblZone> zones;
    for (const config::DnsblZone& z : config.dnsbl.zones) {
        if (!z.enabled) {
            continue;
        }
        DnsblZone zone;
        zone.name = z.name;
        zone.zone = z.zone;
        zone.delist_url = z.delist_url;
        zone.ipv6 = z.ipv6;
        zone.dqs_zone = z.dqs_zone;
        if (z.use_dqs && !config.dnsbl.dqs_key.empty() && !z.dqs_zone.empty()) {
            zone.dqs_key = config.dnsbl.dqs_key;
        }
        for (const config::DnsblCode& code : z.codes) {
            if (code.kind == "error") {
                continue;
            }
            CodeKind kind = CodeKind::abuse;
            if (code.kind == "policy") {
                kind = CodeKind::policy;
            } else if (code.kind == "clean") {
                kind = CodeKind::informational;
            }
            zone.codes[code.code] = ZoneCode{code.meaning, kind};
        }
        zones.push_back(std::move(zone));
    }
    return zones;
}

const char* config_kind(CodeKind kind)
{
    switch (kind) {
    case CodeKind::policy:
        return "policy";
    case CodeKind::informational:
        return "clean";
    case CodeKind::abuse:
        break;
    }
    return "listed";
}

} // namespace smtpprobe::dnsbl
