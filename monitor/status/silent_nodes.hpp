// A node of a fleet that has gone silent (issue 20): every node records its `run` ticks in
// node_run (schema 017, monitor/store/node_rows.hpp); a node whose latest tick finished more
// than twice its own interval ago, plus some slack for a slow tick, has missed at least two
// ticks: its timer, its host or its database access stopped. `status` and the dashboard's
// overview report it as a finding ("node X silent since T").
//
// Contract: reads only; a node is judged by its own interval (nodes of one fleet may tick at
// different rates); a node that never finished a tick has no row and is not reported.
#pragma once

#include "monitor/status/iso_time.hpp"
#include "monitor/store/database.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::monitor {

// What a tick may take beyond two intervals before its node counts as silent.
inline constexpr std::chrono::minutes k_node_silent_slack{5};

struct SilentNode {
    std::string node;
    std::string since; // its latest tick's end (ISO 8601 UTC): silent since then
    std::int64_t interval_seconds = 0;
};

// The nodes silent at now (of node only, when it is not ""), by node name.
std::vector<SilentNode> silent_nodes(store::Database& db, Clock::time_point now,
                                     const std::string& node = {});

// "node NAME silent since TIME".
std::string silent_node_title(const SilentNode& silent);

} // namespace smtpprobe::monitor
