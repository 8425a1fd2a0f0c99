// The SQL of node_run (schema 017): each node's latest `smtpprobe run` tick, what a fleet's
// monitoring reads to find a node that has gone silent (web/metrics). Times are ISO 8601 UTC.
//
// Contract: values bound; one row per node, rewritten by each tick (last_success kept when the
// tick failed a part). The caller owns the transaction.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::store {

struct NodeRunRow {
    std::string node;
    std::string last_started;
    std::string last_finished;
    std::string last_success; // "" when no tick of the node has succeeded yet
    std::string last_result;  // "ok" or "failed: <part>, ..."
    std::int64_t interval_seconds = 0;
};

// Records a finished tick of row.node; row.last_success is ignored: it becomes last_finished
// when row.last_result is "ok" and stays as it was otherwise.
void record_node_run(Database& db, const NodeRunRow& row);

// Every node's row, by node name; empty when the table does not exist (an older database).
std::vector<NodeRunRow> read_node_runs(Database& db);

// How many named nodes have observed into this history (ticked a run, read a log, ran a
// probe): more than one makes it a fleet's. Reads only small tables.
std::int64_t count_observing_nodes(Database& db);

} // namespace smtpprobe::store
