// A history the deploy/ tests scrape (tests/integration/test_prometheus_deploy.cpp), written by
// the real binary: `smtpprobe run` ticks of named nodes (one healthy, one failing a part) and
// the ingest of a sendmail log with a backscatter receipt, Microsoft SNDS feeds and a DMARC
// report about the identity 192.0.2.10.
#pragma once

#include "monitor/config/config.hpp"
#include "tests/support/served_dashboard.hpp"

#include <string>

namespace smtpprobe::test {

inline constexpr const char* k_fleet_ip = "192.0.2.10";

// The configuration the nodes run with (one identity, k_fleet_ip; nothing probed).
config::Config fleet_config();

// One `smtpprobe run --now` of node on served's database with [run] interval; failing adds a
// log source that does not exist, so the tick fails its logs part (exit 3).
void run_node(const ServedDashboard& served, const std::string& node, int interval_seconds,
              bool failing);

// Node mx1 (interval 900 s, succeeds), node mx2 (300 s, fails a part), then the ingests.
void fill_fleet_history(const ServedDashboard& served);

} // namespace smtpprobe::test
