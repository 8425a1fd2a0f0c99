// DNS blocklist zones as data: what to query, what each return code means, where to delist.
// The built-in table (default_zones) covers the lists the issue names; the config loader can
// replace or extend it by filling DnsblZone values itself.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::dnsbl {

// What a return code says about the address.
enum class CodeKind {
    abuse,         // listed for sending spam, being exploited, ...
    policy,        // listed by policy, not for abuse (Spamhaus PBL: end-user/dynamic range)
    informational, // not a listing (e.g. a good reputation level): the result is "clean"
};

struct ZoneCode {
    std::string meaning;
    CodeKind kind = CodeKind::abuse;
};

struct DnsblZone {
    std::string name;                      // short id used on the command line: "spamhaus-zen"
    std::string zone;                      // the DNS zone: "zen.spamhaus.org"
    std::map<std::string, ZoneCode> codes; // "127.0.0.2" -> meaning; other 127/8 codes: listed
    std::string delist_url;
    std::optional<std::string> dqs_key; // Spamhaus DQS: query <key>.<dqs_zone> instead
    std::string dqs_zone;               // e.g. "zen.dq.spamhaus.net"
    bool ipv6 = false;                  // the list answers IPv6 (nibble) queries
};

// The built-in lists: Spamhaus ZEN, SpamCop, Barracuda, PSBL, Mailspike BL, UCEPROTECT L1.
std::vector<DnsblZone> default_zones();

// The DNS name queried for the zone: the zone, or "<key>.<dqs_zone>" with a DQS key. Never
// shown to users or stored (it carries the key).
std::string query_zone(const DnsblZone& zone);

// One sentence if the zone is unusable (empty or malformed zone name, a code that is not an
// IPv4 address in 127.0.0.0/8, DQS key without DQS zone), nullopt if fine.
std::optional<std::string> validate_zone(const DnsblZone& zone);

// Picks zones by name or DNS zone (case-insensitive). A wanted entry that names no known zone
// but looks like a DNS name becomes an ad-hoc zone (any 127/8 answer = listed). Returns nullopt
// and sets *error for an entry that is neither. An empty `wanted` selects every zone.
std::optional<std::vector<DnsblZone>> select_zones(const std::vector<DnsblZone>& zones,
                                                   const std::vector<std::string>& wanted,
                                                   std::string* error);

} // namespace smtpprobe::dnsbl
