// The state query for a fleet's overview: thousands of sending IPs x tens of scopes are too
// many pairs to read, send and show at once (250,000 at 5,000 IPs x 50 scopes), so the overview
// reads the counts per state over every pair, the newest blocked pairs (what the attention
// list leads with) and one page of IPs with all their pairs. Same rows and the same ScopeState
// as read_state (state_query.hpp), so a page never disagrees with `status`; never writes.
#pragma once

#include "monitor/evidence/state_query.hpp"
#include "monitor/store/state_counts.hpp"
#include "monitor/store/state_rows.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::evidence {

struct StatePageRequest {
    std::string node;  // "" = every node; else the pairs it observed
    std::string state; // "" = every state; else only IPs and pairs in this state
    std::int64_t offset = 0;
    std::int64_t limit = 50;           // IPs per page
    std::int64_t newest_blocked = 100; // blocked pairs read for the attention list
};

struct StatePage {
    store::StateCounts counts;    // over every pair of the node, whatever the state filter
    std::int64_t ips_total = 0;   // IPs the state filter keeps (what offset pages through)
    std::vector<std::string> ips; // this page's IPs, sorted
    StateSnapshot cells;          // every pair of this page's IPs (of the state filter)
    StateSnapshot newest_blocked; // the newest blocked pairs, newest first (at most the limit)
};

StatePage read_state_page(store::Database& db, const config::Config& config,
                          const StatePageRequest& request);

} // namespace smtpprobe::evidence
