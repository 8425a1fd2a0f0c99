// How a DnsblReport is shown: one JSON document (smtpprobe dnsbl --json, the web API) and a
// human table. Peer text (TXT records) is escaped with printable() in the table; in JSON it
// is a string (invalid UTF-8 replaced when dumped with error_handler_t::replace).
//
// JSON: {"time", "ips": [{"ip", "zones": [{"name", "zone", "result" (listed|clean|unknown),
//        "policy" (bool), "codes" [..], "meaning", "txt" (string, records joined by " | "),
//        "delist_url"}], "skipped": [..]}],
//        "zones": [{"name", "zone", "health" (ok|dead|lists-everything|unverified),
//                   "ipv6_health" (same or null), "detail"}],
//        "listed" (bool), "unknown" (bool)}
#pragma once

#include "monitor/dnsbl/checker.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace smtpprobe::dnsbl {

nlohmann::json report_json(const DnsblReport& report, const std::string& time);

// Table per IP: zone, result, codes, meaning (+ delist URL for listings, TXT when verbose),
// then lines for zones that failed their test entries.
std::string report_table(const DnsblReport& report, bool verbose);

} // namespace smtpprobe::dnsbl
