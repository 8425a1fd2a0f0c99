// The read-only state query (see state_query.hpp).
#include "monitor/evidence/state_query.hpp"

#include "monitor/evidence/policy.hpp"
#include "monitor/evidence/scope_action.hpp"
#include "monitor/store/node_rows.hpp"
#include "monitor/store/state_rows.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace smtpprobe::evidence {

namespace {

std::vector<std::string> codes_of(const std::string& json_text)
{
    const nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
    std::vector<std::string> out;
    if (j.is_array()) {
        for (const nlohmann::json& item : j) {
            if (item.is_string()) {
                out.push_back(item.get<std::string>());
            }
        }
    }
    return out;
}

} // namespace

bool StateFilter::keeps(const std::string& pair_ip, const std::string& pair_scope) const
{
    if (!node.empty() && (!node_keys || !node_keys->contains({pair_ip, pair_scope}))) {
        return false;
    }
    if ((this_server || !ip.empty()) && pair_ip != ip) {
        return false;
    }
    if (scope.empty()) {
        return true;
    }
    if (scope.back() == '/') {
        return pair_scope.starts_with(scope) || pair_scope == scope.substr(0, scope.size() - 1);
    }
    return pair_scope == scope;
}

StateFilter with_node_keys(store::Database& db, const config::Config& config, StateFilter filter)
{
    if (!filter.node.empty() && !filter.node_keys) {
        auto keys = std::make_shared<std::set<std::pair<std::string, std::string>>>();
        const std::string default_ip =
            unattributed_ip(config, store::count_observing_nodes(db) > 1);
        for (auto& key : store::read_node_keys(db, filter.node, default_ip)) {
            keys->insert(std::move(key));
        }
        filter.node_keys = std::move(keys);
    }
    return filter;
}

namespace {

ScopeState scope_state_of(const config::Config& config, store::StateRow&& row,
                          const store::BlockingSource* blocking)
{
    ScopeState s;
    s.ip = std::move(row.ip);
    s.scope = std::move(row.scope);
    s.state = parse_verdict(row.state).value_or(Verdict::unknown);
    s.since = std::move(row.since);
    s.last_evidence_time = std::move(row.last_time);
    s.last_evidence_id = row.last_id;
    s.last_verdict = parse_verdict(row.last_verdict).value_or(Verdict::unknown);
    s.last_blocked_evidence = row.last_blocked_evidence;
    if (s.state == Verdict::blocked && row.episode_id) {
        OpenEpisode episode;
        episode.id = *row.episode_id;
        episode.opened = row.episode_opened.value_or("");
        episode.reason = std::move(row.episode_reason);
        episode.codes = codes_of(row.episode_codes);
        episode.evidence_count = row.episode_evidence;
        s.episode = std::move(episode);
        s.receiver = std::move(row.last_blocked_receiver);
    }
    s.provider_code = std::move(row.provider_code);
    s.reason = std::move(row.reason);
    ScopeAdvice advice =
        scope_advice(config, ScopeFacts{s.scope, s.state, s.provider_code,
                                        s.state == Verdict::blocked ? blocking : nullptr});
    s.meaning = std::move(advice.meaning);
    s.action = std::move(advice.action);
    return s;
}

} // namespace

std::vector<ScopeState> scope_states_of(store::Database& db, const config::Config& config,
                                        std::vector<store::StateRow>&& rows)
{
    std::vector<std::int64_t> blocking;
    for (const store::StateRow& row : rows) {
        if (row.state == "blocked" && row.last_blocked_evidence != 0) {
            blocking.push_back(row.last_blocked_evidence);
        }
    }
    const auto sources = store::read_blocking_sources(db, blocking);
    std::vector<ScopeState> out;
    out.reserve(rows.size());
    for (store::StateRow& row : rows) {
        // A blocked row the statement did not find (its source row is gone) has nothing to
        // explain it.
        const auto found = sources.find(row.last_blocked_evidence);
        out.push_back(scope_state_of(config, std::move(row),
                                     found != sources.end() ? &found->second : nullptr));
    }
    return out;
}

bool StateSnapshot::any_blocked() const
{
    return std::any_of(scopes.begin(), scopes.end(),
                       [](const ScopeState& s) { return s.state == Verdict::blocked; });
}

StateSnapshot read_state(store::Database& db, const config::Config& config,
                         const StateFilter& given)
{
    const StateFilter filter = with_node_keys(db, config, given);
    StateSnapshot snapshot;
    snapshot.unfolded_evidence = store::unfolded_evidence(db);
    store::StateRowFilter rows_filter;
    rows_filter.state = filter.state;
    std::vector<store::StateRow> rows = store::read_state_rows(
        db, unattributed_ip(config, store::count_observing_nodes(db) > 1), rows_filter);
    std::erase_if(rows,
                  [&](const store::StateRow& row) { return !filter.keeps(row.ip, row.scope); });
    snapshot.scopes = scope_states_of(db, config, std::move(rows));
    return snapshot;
}

} // namespace smtpprobe::evidence
