// Which nodes have gone silent (see silent_nodes.hpp).
#include "monitor/status/silent_nodes.hpp"

#include "monitor/store/node_rows.hpp"

namespace smtpprobe::monitor {

std::vector<SilentNode> silent_nodes(store::Database& db, Clock::time_point now,
                                     const std::string& node)
{
    std::vector<SilentNode> out;
    for (const store::NodeRunRow& row : store::read_node_runs(db)) {
        if (!node.empty() && row.node != node) {
            continue;
        }
        const std::optional<Clock::time_point> finished = parse_iso_utc(row.last_finished);
        if (!finished) {
            continue;
        }
        const auto allowed = 2 * std::chrono::seconds(row.interval_seconds) + k_node_silent_slack;
        if (now - *finished > allowed) {
            out.push_back({row.node, row.last_finished, row.interval_seconds});
        }
    }
    return out;
}

std::string silent_node_title(const SilentNode& silent)
{
    return "node " + silent.node + " silent since " + silent.since;
}

} // namespace smtpprobe::monitor
