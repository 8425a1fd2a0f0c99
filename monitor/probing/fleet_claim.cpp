// The fleet's claim on a receiver (see fleet_claim.hpp).
#include "monitor/probing/fleet_claim.hpp"

#include "monitor/store/fleet_claim_rows.hpp"

#include <algorithm>
#include <random>
#include <unistd.h>

namespace smtpprobe::probing {

namespace {

// "40 s", "7 min".
std::string duration_text(std::chrono::seconds d)
{
    if (d.count() >= 120) {
        return std::to_string((d.count() + 59) / 60) + " min";
    }
    return std::to_string(d.count()) + " s";
}

std::string from_ip(const std::string& ip)
{
    return ip.empty() ? "from its default IP" : "from IP " + ip;
}

std::string new_lease_id(const std::string& node)
{
    std::random_device random;
    const std::uint64_t bits = (static_cast<std::uint64_t>(random()) << 32) ^ random();
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
    return node + "/" + std::to_string(getpid()) + "/" + hex;
}

const char* const k_override = " (a person may override with --ignore-min-interval)";

// Why the receiver must wait for its spacing, or "".
std::string spacing_wait(store::Database& db, const FleetClaimRequest& request,
                         monitor::Clock::time_point now)
{
    if (request.spacing.count() <= 0) {
        return {};
    }
    const auto last = store::read_fleet_start(db, request.receiver);
    if (!last) {
        return {};
    }
    const auto started = monitor::parse_iso_utc(last->started);
    if (!started || *started + request.spacing <= now) {
        return {};
    }
    // A start "in the future" (a node whose tick began later than ours) counts as just now.
    const auto ago = std::max(std::chrono::seconds(0),
                              std::chrono::duration_cast<std::chrono::seconds>(now - *started));
    return "receiver " + request.receiver + " was probed by node " + last->node + " " +
           from_ip(last->source_ip) + " " + duration_text(ago) + " ago; fleet minimum interval " +
           duration_text(request.spacing) + k_override;
}

// Why the receiver has no free slot, or "".
std::string concurrency_wait(const FleetClaimRequest& request,
                             const std::vector<store::FleetLeaseRow>& open)
{
    if (request.concurrency <= 0 || open.size() < static_cast<std::size_t>(request.concurrency)) {
        return {};
    }
    std::string who;
    for (const store::FleetLeaseRow& lease : open) {
        who += (who.empty() ? "" : ", ") + std::string("node ") + lease.node + " " +
               from_ip(lease.source_ip) + " since " + lease.started;
    }
    return "receiver " + request.receiver + " has " + std::to_string(open.size()) +
           " sessions open across the fleet (" + who + "); fleet concurrency " +
           std::to_string(request.concurrency) + k_override;
}

} // namespace

FleetClaim claim_fleet_slot(store::Database& db, const FleetClaimRequest& request,
                            monitor::Clock::time_point now, bool record)
{
    const std::string now_text = monitor::iso_utc(now);
    FleetClaim claim;
    std::optional<store::Transaction> tx;
    if (record) {
        tx.emplace(db); // the read and the write below are one step for the whole fleet
        store::delete_expired_fleet_leases(db, now_text);
    }
    if (!request.ignore_limits) {
        claim.refused = spacing_wait(db, request, now);
        if (claim.refused.empty()) {
            claim.refused = concurrency_wait(
                request, store::read_open_fleet_leases(db, request.receiver, now_text));
        }
        if (!claim.refused.empty()) {
            if (tx) {
                tx->commit(); // keeps the sweep of expired leases
            }
            return claim;
        }
    }
    if (!record) {
        return claim;
    }
    store::record_fleet_start(db, {request.receiver, now_text, request.node, request.source_ip});
    claim.lease = new_lease_id(request.node);
    store::insert_fleet_lease(db, {claim.lease, request.receiver, request.node, request.source_ip,
                                   now_text, monitor::iso_utc(now + request.lease_for)});
    tx->commit();
    return claim;
}

void release_fleet_slot(store::Database& db, const std::string& lease)
{
    store::delete_fleet_lease(db, lease);
}

FleetLeases::~FleetLeases()
{
    release_all();
}

void FleetLeases::add(const std::string& key, const std::string& lease)
{
    if (!lease.empty()) {
        m_held.emplace_back(key, lease);
    }
}

void FleetLeases::release_one(const std::string& key) noexcept
{
    const auto it = std::find_if(m_held.begin(), m_held.end(),
                                 [&](const auto& held) { return held.first == key; });
    if (it == m_held.end() || m_db == nullptr) {
        return;
    }
    try {
        release_fleet_slot(*m_db, it->second);
        m_held.erase(it);
    } catch (...) {
        // Kept for release_all(); at worst the lease runs out at its expiry.
    }
}

void FleetLeases::release_all() noexcept
{
    for (const auto& [key, lease] : m_held) {
        try {
            if (m_db != nullptr) {
                release_fleet_slot(*m_db, lease);
            }
        } catch (...) {
            // The lease runs out at its expiry.
        }
    }
    m_held.clear();
}

} // namespace smtpprobe::probing
