// The fleet's claim on a receiver (issue 20): many nodes, each with its own source IPs, probe
// through one database, and a receiver still sees no more than its spacing and concurrency
// allow, whichever node asks. Before a session to a config receiver starts, the pipeline
// (probe_pipeline.hpp, step 1) claims a slot in one store::Transaction, which serialises the
// read-then-write across nodes (SQLite's BEGIN IMMEDIATE; the PostgreSQL backend's advisory
// lock). The claim is refused when
//   - any node started a session to the receiver less than its fleet spacing
//     (fleet_min_interval) ago, or
//   - fleet_concurrency sessions to it are open (unexpired leases);
// else it records the start and takes a lease, which ends with the session, or at the
// session's deadline if the node dies first (an expired lease never blocks anyone).
// A person's `--ignore-min-interval` lifts both rules; the claim is still recorded so the
// rest of the fleet keeps its distance.
//
// Contract: the store keeps (monitor/store/fleet_claim_rows.hpp), this file decides. Times are
// the caller's `now` (the pipeline's clock, which tests drive), as ISO 8601 UTC text.
#pragma once

#include "monitor/status/iso_time.hpp"
#include "monitor/store/database.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace smtpprobe::probing {

struct FleetClaimRequest {
    std::string receiver;                // the config receiver's name
    std::string node;                    // who claims ([run] node, else the host name)
    std::string source_ip;               // "" when the kernel chooses it
    std::chrono::seconds spacing{0};     // fleet_min_interval (0: no spacing)
    int concurrency = 0;                 // fleet_concurrency (0: no limit)
    std::chrono::seconds lease_for{300}; // the session's deadline
    bool ignore_limits = false;          // --ignore-min-interval
};

struct FleetClaim {
    std::string lease;   // the lease taken; "" when refused or when nothing is recorded
    std::string refused; // why the session must wait; "" when it may start
};

// Claims a slot for one session. record = false (--no-store, a read-only database): checks the
// rules without writing anything (no lease). Throws store::StoreError on a database failure.
FleetClaim claim_fleet_slot(store::Database& db, const FleetClaimRequest& request,
                            monitor::Clock::time_point now, bool record = true);

// Ends a session's lease; nothing when it is gone already (expired and swept).
void release_fleet_slot(store::Database& db, const std::string& lease);

// The leases one pipeline run holds, by session key (the target text): release_one() as each
// session ends, and every one left when it goes out of scope (an exception included). A lease
// that cannot be released (the database failed) runs out at its expiry.
class FleetLeases {
public:
    explicit FleetLeases(store::Database* db) : m_db(db) {}
    ~FleetLeases();
    FleetLeases(const FleetLeases&) = delete;
    FleetLeases& operator=(const FleetLeases&) = delete;

    void add(const std::string& key, const std::string& lease);
    // Releases one lease held under key (leases of one key are interchangeable: they count
    // the same receiver). Never throws.
    void release_one(const std::string& key) noexcept;
    void release_all() noexcept;
    std::size_t held() const { return m_held.size(); }

private:
    store::Database* m_db;
    std::vector<std::pair<std::string, std::string>> m_held; // (key, lease)
};

} // namespace smtpprobe::probing
