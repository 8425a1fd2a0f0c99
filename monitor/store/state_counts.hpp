// The fleet overview's read model (schema 020): counts per state and pages of IPs read from
// one row per IP (state_ip) or per node and IP (state_node_ip) instead of one per pair, and
// the fold's upkeep of those tables and of state_node, in the fold's transaction.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::store {

// How many folded pairs and IPs there are in each state (a fleet's overview; blocked_ips:
// IPs with at least one blocked pair), over the pairs node observed ("" = all).
struct StateCounts {
    std::int64_t pairs = 0;
    std::int64_t ips = 0;
    std::int64_t blocked = 0;
    std::int64_t clear = 0;
    std::int64_t unknown = 0;
    std::int64_t blocked_ips = 0;
};
StateCounts count_states(Database& db, const std::string& default_ip, const std::string& node);

// How many distinct IPs the pairs kept by node ("" = all) and state ("" = any) have.
std::int64_t count_ips(Database& db, const std::string& default_ip, const std::string& node,
                       const std::string& state);

// One page of those IPs, sorted.
std::vector<std::string> read_ip_page(Database& db, const std::string& default_ip,
                                      const std::string& node, const std::string& state,
                                      std::int64_t offset, std::int64_t limit);

// Recounts the state_ip rows (pairs per state of one IP, schema 020) of ips from
// episode_state; the fold calls it for the IPs whose pairs it wrote, in its transaction.
void recount_state_ips(Database& db, const std::vector<std::string>& ips);
// The same for every IP (after a full rebuild).
void recount_all_state_ips(Database& db);

// The same per node (state_node_ip: the node's pairs of each IP, as state_node names them;
// default_ip: the IP the fold keys evidence of ip "" to). recount_node_ips recounts every IP
// when the table has never been counted (after migration 020).
void recount_node_ips(Database& db, const std::string& default_ip,
                      const std::vector<std::string>& ips);
void recount_all_node_ips(Database& db, const std::string& default_ip);

// Records which node observed the evidence with id in (after_id, up_to_id] (the fold calls
// it for what it read, in its transaction).
void record_state_nodes(Database& db, std::int64_t after_id, std::int64_t up_to_id);

} // namespace smtpprobe::store
