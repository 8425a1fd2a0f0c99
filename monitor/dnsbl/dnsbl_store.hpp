// Keeps DNSBL results in the dnsbl_check table (schema/001_init.sql): one row per IP x zone.
#pragma once

#include "monitor/dnsbl/checker.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::dnsbl {

// Inserts one row per (IP, zone) of the report, in report order, in one transaction, and
// returns the new row ids in that order (for evidence rows: source_kind 'dnsbl'). `time` is
// ISO 8601 UTC ("2026-03-11T20:18:23Z"). Codes are stored as a JSON array, TXT records joined
// by newlines. The zone column holds the DNS zone (never a DQS key).
std::vector<std::int64_t> store_dnsbl_report(store::Database& db, const DnsblReport& report,
                                             const std::string& time);

// The current time as ISO 8601 UTC with seconds ("2026-03-11T20:18:23Z").
std::string utc_now_iso8601();

} // namespace smtpprobe::dnsbl
