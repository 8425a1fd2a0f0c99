// DNSBL checks: for each IP and each zone, one A and one TXT query, all at once, plus every
// zone's RFC 5782 test entries (127.0.0.2 must be listed, 127.0.0.1 must not; for IPv6
// ::FFFF:7F00:2 / ::FFFF:7F00:1) so a dead zone or one that lists everything is recognised.
//
// Contract: a result is "listed" only on a real 127.0.0.0/8 listing code from a zone that passed
// (or could not be tested by) its test entries. Error answers (127.255.255.x: typo in the zone,
// public resolver refused, rate limit), answers outside 127/8, timeouts, DNS failures, dead
// zones and zones listing everything all give "unknown" with the reason in `meaning`.
#pragma once

#include "monitor/dnsbl/zone.hpp"
#include "probe/dns/resolver.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

namespace smtpprobe::dnsbl {

enum class Listing { listed, clean, unknown };

// "listed" | "clean" | "unknown" (the dnsbl_check.result and JSON vocabulary).
const char* to_string(Listing listing);

// How a zone did on its RFC 5782 test entries, for one address family.
enum class ZoneHealth {
    ok,               // 127.0.0.2 listed, 127.0.0.1 not
    dead,             // the test entry is not listed: the zone is gone or not answering
    lists_everything, // 127.0.0.1 is listed: every answer would be a false listing
    unverified,       // the test queries failed (timeout, error answer): answers kept as they are
};

const char* to_string(ZoneHealth health);

// One IP against one zone.
struct ZoneCheck {
    std::string name; // the zone's short name
    std::string zone; // its DNS zone (never the DQS key)
    Listing result = Listing::unknown;
    bool policy = false;            // listed only by policy (e.g. Spamhaus PBL), not for abuse
    std::vector<std::string> codes; // the A records returned ("127.0.0.2")
    std::string meaning;            // what the codes mean, or why the result is unknown
    std::vector<std::string> txt;   // TXT records (peer text: escape before display)
    std::string delist_url;
};

struct IpReport {
    boost::asio::ip::address ip;
    std::vector<ZoneCheck> zones;     // in the order of the zones given (unqueried ones left out)
    std::vector<std::string> skipped; // "psbl: lists IPv4 addresses only"
};

struct ZoneStatus {
    std::string name;
    std::string zone;
    ZoneHealth v4 = ZoneHealth::unverified;
    ZoneHealth v6 = ZoneHealth::unverified; // only tested when an IPv6 address was checked
    bool v6_tested = false;
    std::string detail; // why, when not ok
};

struct DnsblReport {
    std::vector<IpReport> ips;
    std::vector<ZoneStatus> zones;
    bool any_listed() const;
    bool any_unknown() const;
};

struct DnsblOptions {
    bool test_entries = true; // query each zone's RFC 5782 test entries
    bool txt = true;          // ask TXT beside A
};

// Checks every address against every zone concurrently (IPv4-mapped IPv6 addresses are checked
// as IPv4). Zones with ipv6 = false are skipped for IPv6 addresses (listed in `skipped`).
boost::asio::awaitable<DnsblReport> check_dnsbl(dns::Resolver& resolver,
                                                std::vector<boost::asio::ip::address> ips,
                                                std::vector<DnsblZone> zones,
                                                DnsblOptions options = {});

// The pure part: what one zone's answers mean. `a` and `txt` are the answers for the IP's
// query name; `health` the zone's test-entry result for the IP's family.
ZoneCheck interpret(const DnsblZone& zone, const dns::Answer& a, const dns::Answer& txt,
                    ZoneHealth health);

// What a test-entry pair says: `listed_entry` is the answer for 127.0.0.2 (::FFFF:7F00:2 when
// ipv6), `unlisted_entry` the one for 127.0.0.1 (::FFFF:7F00:1). *detail says why when not ok.
ZoneHealth judge_test_entries(const dns::Answer& listed_entry, const dns::Answer& unlisted_entry,
                              std::string* detail, bool ipv6 = false);

} // namespace smtpprobe::dnsbl
