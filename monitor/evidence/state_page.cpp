// A page of the state for a fleet's overview (see state_page.hpp).
#include "monitor/evidence/state_page.hpp"

#include "monitor/evidence/policy.hpp"
#include "monitor/store/node_rows.hpp"

namespace smtpprobe::evidence {

StatePage read_state_page(store::Database& db, const config::Config& config,
                          const StatePageRequest& request)
{
    const std::string default_ip = unattributed_ip(config, store::count_observing_nodes(db) > 1);
    StatePage page;
    page.counts = store::count_states(db, default_ip, request.node);
    const std::int64_t unfolded = store::unfolded_evidence(db);
    page.cells.unfolded_evidence = unfolded;
    page.newest_blocked.unfolded_evidence = unfolded;

    if (request.state.empty()) {
        page.ips_total = page.counts.ips;
    } else if (request.state == "blocked") {
        page.ips_total = page.counts.blocked_ips;
    } else {
        page.ips_total = store::count_ips(db, default_ip, request.node, request.state);
    }
    if (page.ips_total > request.offset) {
        page.ips = store::read_ip_page(db, default_ip, request.node, request.state, request.offset,
                                       request.limit);
    }
    if (!page.ips.empty()) {
        store::StateRowFilter filter;
        filter.node = request.node;
        filter.state = request.state;
        filter.ips = page.ips;
        page.cells.scopes =
            scope_states_of(db, config, store::read_state_rows(db, default_ip, filter));
    }
    if (request.newest_blocked > 0 && page.counts.blocked > 0) {
        store::StateRowFilter filter;
        filter.node = request.node;
        filter.state = "blocked";
        filter.newest = request.newest_blocked;
        page.newest_blocked.scopes =
            scope_states_of(db, config, store::read_state_rows(db, default_ip, filter));
    }
    return page;
}

} // namespace smtpprobe::evidence
