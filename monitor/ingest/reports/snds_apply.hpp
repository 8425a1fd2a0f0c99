// What an SNDS read (the feeds `run` fetched, or a saved CSV given to `ingest snds`) means,
// stored:
//
//   - IP status: for each of our IPs, a blocked range covering it is `blocked` evidence for the
//     Outlook.com scope (reason "blocked", code "SNDS", the range's reason text kept in
//     snds_ip_state for the action); a covering range that is not blocked ("Junked due to
//     ...") or no covering range at all is `clear`, but only for an IP the account knows (it
//     has data rows): SNDS lists only the account's IPs, and silence about an IP it does not
//     know proves nothing.
//   - Data: every new (IP, period) row is stored as reputation signals; a change against the
//     IP's previous period is a finding (and so an alert): the filter result changed (or is
//     YELLOW/RED the first time it is seen), spam-trap hits appeared, the complaint rate
//     reached 0.3%.
//
// Contract: the caller owns the transaction; evidence goes through hand_off_evidence; data rows
// and findings are idempotent; a status read makes one snds_ip_state row (and one evidence
// row) per identity IP it decides.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/ingest/reports/snds_feed.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::ingest {

// The complaint rate (percent) from which SNDS complaints are a finding.
inline constexpr double k_snds_complaint_threshold = 0.3;

struct SndsApplied {
    std::uint64_t status_rows = 0;
    std::uint64_t data_rows = 0;     // read
    std::uint64_t new_data_rows = 0; // stored now (new periods)
    std::uint64_t evidence = 0;
    std::uint64_t findings = 0;
    std::vector<std::string> blocked_ips; // our IPs a blocked range covers
};

// Applies one read. fetch is the snds_fetch row it came from; time is when it was read (the
// evidence time); status_read says the IP status feed was part of it (an empty status feed
// is then "nothing blocked").
SndsApplied apply_snds(store::Database& db, const config::Config& config, const SndsFeed& feed,
                       std::int64_t fetch, const std::string& time, bool status_read);

// What to do about an SNDS block (the status row's reason text is peer text: not escaped here).
std::string snds_block_action(const std::string& reason);

} // namespace smtpprobe::ingest
