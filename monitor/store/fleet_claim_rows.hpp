// The SQL of the fleet's probe claims (schema 019): when each receiver was last probed by any
// node, and the sessions to it open now (leases). The rules that read them (spacing,
// concurrency, override) are monitor/probing/fleet_claim.hpp; this file only keeps.
//
// Contract: every value bound; times are ISO 8601 UTC text ("YYYY-MM-DDTHH:MM:SSZ"), which
// sorts like time. The caller owns the transaction: a claim reads and writes in one
// store::Transaction, which serialises claims across nodes (SQLite's BEGIN IMMEDIATE, the
// PostgreSQL backend's advisory lock).
#pragma once

#include "monitor/store/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// The latest session start to a receiver, fleet-wide.
struct FleetStartRow {
    std::string receiver;
    std::string started;
    std::string node;
    std::string source_ip; // "" when the kernel chose it (stored as NULL)
};

// One open session.
struct FleetLeaseRow {
    std::string lease; // unique per session
    std::string receiver;
    std::string node;
    std::string source_ip; // "" stored as NULL
    std::string started;
    std::string expires;
};

// The receiver's latest start, if any node ever probed it.
std::optional<FleetStartRow> read_fleet_start(Database& db, const std::string& receiver);

// Records a start; an older start than the one stored (a node whose clock or tick lags) does not
// replace it.
void record_fleet_start(Database& db, const FleetStartRow& row);

// The receiver's leases that expire after now, oldest first.
std::vector<FleetLeaseRow> read_open_fleet_leases(Database& db, const std::string& receiver,
                                                  const std::string& now);

void insert_fleet_lease(Database& db, const FleetLeaseRow& row);

// Deletes one lease (its session ended); nothing when it is gone already.
void delete_fleet_lease(Database& db, const std::string& lease);

// Deletes every lease (of any receiver) that expired at or before now: its node was killed or
// lost its database mid-session.
void delete_expired_fleet_leases(Database& db, const std::string& now);

} // namespace smtpprobe::store
