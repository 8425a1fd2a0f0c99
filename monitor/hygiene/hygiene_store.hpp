// Keeps hygiene reports in the hygiene_check table (schema/006_hygiene.sql).
#pragma once

#include "monitor/hygiene/hygiene.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace smtpprobe::hygiene {

// Inserts one row for the report at `time` (ISO 8601 UTC), checked by node (schema 018; ""
// for none); returns its id.
std::int64_t store_hygiene_report(store::Database& db, const HygieneReport& report,
                                  const std::string& time, const std::string& node);

// The newest stored report for an IP (the fields status needs), if any.
struct StoredHygiene {
    std::string time;
    bool fcrdns = false;
    bool helo_matches = false;
    std::string spf_result;
    bool dmarc_present = false;
    std::string dmarc_policy;
    bool unknown = false;
    bool all_ok = false;
    std::string ptr_detail, spf_detail, dmarc_detail;
};
std::optional<StoredHygiene> latest_hygiene(store::Database& db, const std::string& ip);

} // namespace smtpprobe::hygiene
