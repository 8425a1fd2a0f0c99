// What needs the operator's attention now, most urgent first: the open blocks and DNSBL
// listings (from the one state query, monitor/evidence/state_query.hpp), backscatter (success
// DSNs in our own log, a DSN test that found the risk), sender hygiene that fails, findings
// from the receivers' reports, evidence the fold has not read yet, and periodic work of `run`
// that stopped: a task long overdue, or every task overdue (the timer or cron entry stopped),
// or a node of a fleet silent (silent_nodes.hpp).
// The dashboard's overview leads with it (web/api/state_api.cpp).
//
// Contract: reads only (runs on a read-only database); the state is taken as given, never
// re-derived; findings are grouped per kind and subject so a log with thousands of receipts
// gives one item. Peer text in items is raw; each renderer escapes it.
#pragma once

#include "monitor/evidence/state_query.hpp"
#include "monitor/status/iso_time.hpp"
#include "monitor/store/database.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::monitor {

struct AttentionItem {
    // blocked | listed | backscatter | dsn-test | hygiene | report | unfolded | stale-task |
    // timer-stopped | node-silent
    std::string kind;
    bool urgent = false;         // mail is being refused, or the server can be abused, now
    std::string ip;              // the sending IP it is about ("" when none or this server)
    std::string scope;           // the receiver scope or list it is about ("" when none)
    std::string since;           // when it began or was last seen (ISO UTC; "" when not known)
    std::string title;           // one line: what is wrong
    std::string detail;          // more of it (a code, the receiver's reason, counts)
    std::string action;          // the one thing to do
    std::string receiver;        // a listing named by a receiver's refusal: that receiver
    std::int64_t episode_id = 0; // blocked / listed: the open episode
    std::int64_t probe_id = 0;   // dsn-test: the run
    std::int64_t count = 0;      // findings: how many
};

// A task of `run` counts as stopped once it is this much past its due time (the timer runs
// every 15 minutes: four missed ticks).
inline constexpr std::chrono::hours k_task_overdue{1};

// The list for state (read_state of the same database), at time now; with node, only that
// node's silence is listed (the other items are not filtered by node).
std::vector<AttentionItem> attention_list(store::Database& db, const evidence::StateSnapshot& state,
                                          Clock::time_point now, const std::string& node = {});

} // namespace smtpprobe::monitor
