// The WHERE clause of the state queries over episode_state s, shared by the state rows
// (state_rows.cpp) and the fleet overview's counts (state_counts.cpp): a node's pairs, a state,
// a list of IPs. Store-internal: only monitor/store/ includes it.
#pragma once

#include "monitor/store/database.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace smtpprobe::store {

// Conditions with unnumbered parameters, and the values to bind to them in order.
struct StateWhere {
    std::string sql; // "" or " WHERE ..."
    std::vector<std::string> values;

    void add(const std::string& condition);
};

// The conditions of node (the pairs it observed, its ip "" read as default_ip), state and ips.
StateWhere state_where(const std::string& default_ip, const std::string& node,
                       const std::string& state, const std::vector<std::string>& ips = {});

// "?, ?, ?" for an IN list of count values.
std::string placeholders(std::size_t count);

// Binds values from index first; returns the next index.
int bind_all(Statement& st, const std::vector<std::string>& values, int first = 1);

} // namespace smtpprobe::store
