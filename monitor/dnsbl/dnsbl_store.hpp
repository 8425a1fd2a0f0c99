// Records a DNSBL report in the history: one dnsbl_check row per IP x zone and its evidence
// (through the evidence policy and the one writer: listed -> blocked, a policy listing too,
// reason "policy-listed"; clean -> clear; unknown -> unknown), in one transaction, then folds
// the episodes. `smtpprobe dnsbl` and the DNSBL part of `run` both record through here.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/dnsbl/checker.hpp"
#include "monitor/store/database.hpp"

#include <string>

namespace smtpprobe::dnsbl {

struct RecordCounts {
    int listed = 0;
    int unknown = 0;
};

// `time` is ISO 8601 UTC ("2026-03-11T20:18:23Z").
RecordCounts record_dnsbl_report(store::Database& db, const config::Config& config,
                                 const DnsblReport& report, const std::string& time);

} // namespace smtpprobe::dnsbl
