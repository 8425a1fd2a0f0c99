// The fleet's claim on a receiver (monitor/probing/fleet_claim.hpp): two nodes on one SQLite
// history, the fleet spacing, the concurrency leases, a killed node's lease running out, the
// override, and a check that writes nothing (--no-store).
#include "monitor/probing/fleet_claim.hpp"
#include "monitor/store/fleet_claim_rows.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;
using namespace std::chrono_literals;

namespace {

const monitor::Clock::time_point k_t0 = *monitor::parse_iso_utc("2026-03-11T20:00:00Z");

probing::FleetClaimRequest request(const std::string& node, const std::string& ip,
                                   std::chrono::seconds spacing, int concurrency)
{
    probing::FleetClaimRequest r;
    r.receiver = "outlook.com";
    r.node = node;
    r.source_ip = ip;
    r.spacing = spacing;
    r.concurrency = concurrency;
    r.lease_for = 300s;
    return r;
}

std::size_t open_leases(store::Database& db, monitor::Clock::time_point at)
{
    return store::read_open_fleet_leases(db, "outlook.com", monitor::iso_utc(at)).size();
}

} // namespace

TEST_CASE("fleet claim: a second node within the fleet spacing waits, and is told who probed")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    const auto mx1 = request("mx1", "192.0.2.10", 60s, 2);
    const auto mx2 = request("mx2", "198.51.100.7", 60s, 2);

    probing::FleetClaim first = probing::claim_fleet_slot(db, mx1, k_t0);
    CHECK(first.refused.empty());
    CHECK(first.lease.rfind("mx1/", 0) == 0);
    probing::release_fleet_slot(db, first.lease); // the session ended: only the spacing holds

    probing::FleetClaim early = probing::claim_fleet_slot(db, mx2, k_t0 + 40s);
    CHECK(early.lease.empty());
    CHECK(early.refused == "receiver outlook.com was probed by node mx1 from IP 192.0.2.10 40 s "
                           "ago; fleet minimum interval 60 s (a person may override with "
                           "--ignore-min-interval)");
    // The same node from another of its IPs is the fleet too.
    CHECK_FALSE(probing::claim_fleet_slot(db, request("mx1", "192.0.2.11", 60s, 2), k_t0 + 59s)
                    .refused.empty());

    probing::FleetClaim later = probing::claim_fleet_slot(db, mx2, k_t0 + 60s);
    CHECK(later.refused.empty());
    CHECK_FALSE(later.lease.empty());
    const auto start = store::read_fleet_start(db, "outlook.com");
    REQUIRE(start);
    CHECK(start->node == "mx2");
    CHECK(start->source_ip == "198.51.100.7");
    CHECK(start->started == "2026-03-11T20:01:00Z");
    // Another receiver has a spacing of its own.
    auto gmail = mx1;
    gmail.receiver = "gmail.com";
    CHECK(probing::claim_fleet_slot(db, gmail, k_t0 + 61s).refused.empty());
}

TEST_CASE("fleet claim: at most fleet_concurrency sessions are open, a release frees a slot")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    // No spacing: only the concurrency decides.
    const auto a = probing::claim_fleet_slot(db, request("mx1", "192.0.2.10", 0s, 2), k_t0);
    const auto b = probing::claim_fleet_slot(db, request("mx2", "", 0s, 2), k_t0 + 1s);
    CHECK(a.refused.empty());
    CHECK(b.refused.empty());
    CHECK(open_leases(db, k_t0 + 2s) == 2);

    const auto c = probing::claim_fleet_slot(db, request("mx3", "203.0.113.5", 0s, 2), k_t0 + 2s);
    CHECK(c.lease.empty());
    CHECK(c.refused == "receiver outlook.com has 2 sessions open across the fleet (node mx1 from "
                       "IP 192.0.2.10 since 2026-03-11T20:00:00Z, node mx2 from its default IP "
                       "since 2026-03-11T20:00:01Z); fleet concurrency 2 (a person may override "
                       "with --ignore-min-interval)");

    probing::release_fleet_slot(db, a.lease);
    probing::release_fleet_slot(db, a.lease); // twice is harmless
    CHECK(open_leases(db, k_t0 + 3s) == 1);
    CHECK(probing::claim_fleet_slot(db, request("mx3", "203.0.113.5", 0s, 2), k_t0 + 3s)
              .refused.empty());
    CHECK(open_leases(db, k_t0 + 3s) == 2);
}

TEST_CASE("fleet claim: a killed node's lease runs out at the session deadline")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    auto killed = request("mx1", "192.0.2.10", 0s, 1);
    killed.lease_for = 90s;
    REQUIRE(probing::claim_fleet_slot(db, killed, k_t0).refused.empty());
    // Never released: mx1 died mid-session.
    const auto blocked = probing::claim_fleet_slot(db, request("mx2", "", 0s, 1), k_t0 + 89s);
    CHECK(blocked.refused.find("fleet concurrency 1") != std::string::npos);
    const auto after = probing::claim_fleet_slot(db, request("mx2", "", 0s, 1), k_t0 + 90s);
    CHECK(after.refused.empty());
    // The expired lease was swept; only mx2's is left.
    const auto open = store::read_open_fleet_leases(db, "outlook.com", "2026-03-11T20:00:00Z");
    REQUIRE(open.size() == 1);
    CHECK(open[0].node == "mx2");
    CHECK(open[0].expires == "2026-03-11T20:06:30Z");
}

TEST_CASE("fleet claim: --ignore-min-interval lifts spacing and concurrency but is recorded")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    REQUIRE(
        probing::claim_fleet_slot(db, request("mx1", "192.0.2.10", 60s, 1), k_t0).refused.empty());
    auto person = request("mx2", "198.51.100.7", 60s, 1);
    person.ignore_limits = true;
    const auto forced = probing::claim_fleet_slot(db, person, k_t0 + 5s);
    CHECK(forced.refused.empty());
    CHECK_FALSE(forced.lease.empty());
    CHECK(open_leases(db, k_t0 + 5s) == 2); // over the limit: a person asked
    // The rest of the fleet keeps its distance from the forced probe.
    const auto next = probing::claim_fleet_slot(db, request("mx3", "", 60s, 5), k_t0 + 61s);
    CHECK(next.refused.find("by node mx2 from IP 198.51.100.7 56 s ago") != std::string::npos);
}

TEST_CASE("fleet claim: a check without recording (--no-store) refuses alike and writes nothing")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    const auto check = probing::claim_fleet_slot(db, request("mx1", "", 60s, 1), k_t0, false);
    CHECK(check.refused.empty());
    CHECK(check.lease.empty());
    CHECK_FALSE(store::read_fleet_start(db, "outlook.com"));
    CHECK(open_leases(db, k_t0) == 0);
    REQUIRE(probing::claim_fleet_slot(db, request("mx2", "", 60s, 1), k_t0).refused.empty());
    CHECK_FALSE(probing::claim_fleet_slot(db, request("mx1", "", 60s, 1), k_t0 + 1s, false)
                    .refused.empty());
}

TEST_CASE("fleet claim: a lagging node's older start does not replace the latest one")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    store::record_fleet_start(db, {"outlook.com", "2026-03-11T20:05:00Z", "mx2", ""});
    store::record_fleet_start(db, {"outlook.com", "2026-03-11T20:04:00Z", "mx1", "192.0.2.10"});
    const auto start = store::read_fleet_start(db, "outlook.com");
    REQUIRE(start);
    CHECK(start->node == "mx2");
    CHECK(start->source_ip.empty());
    // A claim whose clock is behind the stored start waits the whole spacing ("0 s ago").
    const auto behind = probing::claim_fleet_slot(db, request("mx3", "", 60s, 2), k_t0);
    CHECK(behind.refused.find("by node mx2 from its default IP 0 s ago") != std::string::npos);
}

TEST_CASE("fleet claim: FleetLeases releases each session's lease, and the rest when it ends")
{
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    {
        probing::FleetLeases leases(&db);
        leases.add("a.example",
                   probing::claim_fleet_slot(db, request("mx1", "", 0s, 5), k_t0).lease);
        leases.add("a.example",
                   probing::claim_fleet_slot(db, request("mx1", "", 0s, 5), k_t0).lease);
        leases.add("b.example",
                   probing::claim_fleet_slot(db, request("mx1", "", 0s, 5), k_t0).lease);
        leases.add("c.example", ""); // no lease (not recorded): nothing held
        CHECK(leases.held() == 3);
        CHECK(open_leases(db, k_t0) == 3);
        leases.release_one("a.example");
        leases.release_one("nothing held");
        CHECK(leases.held() == 2);
        CHECK(open_leases(db, k_t0) == 2);
    }
    CHECK(open_leases(db, k_t0) == 0);
}
