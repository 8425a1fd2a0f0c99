// /api/status (cheap: answered thousands of times a second) and /api/overview (what needs
// attention, then every sending IP x receiver scope with evidence: the current state, since
// when, code and action, read from the one state query).
#include "monitor/evidence/state_query.hpp"
#include "monitor/status/attention_list.hpp"
#include "monitor/store/evidence_pages.hpp"
#include "probe/text/utc_time.hpp"
#include "web/api/api.hpp"

#include <set>

namespace smtpprobe::web {

Json api_status(Database& db, const Query& query)
{
    query.allow_only({});
    Json out{{"version", SMTPPROBE_VERSION}, {"now", utc_now_iso()}};
    out["schema_version"] = db.schema_version();
    const store::StoreSummary summary = store::read_store_summary(db);
    out["open_episodes"] = summary.open_episodes;
    out["oldest_open_episode"] = json_or_null(summary.oldest_open_episode);
    out["last_evidence_time"] = json_or_null(summary.last_evidence_time);
    out["last_evidence_id"] = json_or_null(summary.last_evidence_id);
    out["last_probe"] = nullptr;
    if (summary.last_probe) {
        out["last_probe"] = Json{{"id", summary.last_probe->id},
                                 {"started_at", json_or_null(summary.last_probe->started_at)},
                                 {"target", json_or_null(summary.last_probe->target)},
                                 {"outcome", json_or_null(summary.last_probe->outcome)}};
    }
    return out;
}

Json api_overview(Database& db, const config::Config& config, const Query& query)
{
    query.allow_only({"node"});
    // The one state query: the same answer as `status`, the alerts and /metrics. With node:
    // only the pairs that node observed (an unknown node: none), like `status --node`.
    evidence::StateFilter filter;
    filter.node = query.node("node").value_or("");
    const evidence::StateSnapshot state = evidence::read_state(db, config, filter);
    Json cells = Json::array();
    std::set<std::string> ips;
    std::set<std::string> scopes;
    for (const evidence::ScopeState& s : state.scopes) {
        ips.insert(s.ip);
        scopes.insert(s.scope);
        Json explanation = nullptr;
        if (!s.meaning.empty() || !s.action.empty()) {
            explanation = Json{{"meaning", s.meaning}, {"action", s.action}};
        }
        cells.push_back(
            Json{{"ip", s.ip},
                 {"scope", s.scope},
                 {"state", evidence::name(s.state)},
                 {"since", s.since ? Json(*s.since) : Json(nullptr)},
                 {"last_evidence_time",
                  s.last_evidence_time.empty() ? Json(nullptr) : Json(s.last_evidence_time)},
                 {"evidence_id", s.last_evidence_id},
                 {"last_verdict", evidence::name(s.last_verdict)},
                 {"provider_code", s.provider_code.empty() ? Json(nullptr) : Json(s.provider_code)},
                 {"reason", s.reason.empty() ? Json(nullptr) : Json(s.reason)},
                 {"action", s.action},
                 {"receiver", s.receiver.empty() ? Json(nullptr) : Json(s.receiver)},
                 {"episode_id", s.episode ? Json(s.episode->id) : Json(nullptr)},
                 {"explanation", explanation}});
    }
    Json attention = Json::array();
    for (const monitor::AttentionItem& item :
         monitor::attention_list(db, state, monitor::now(), filter.node)) {
        auto text = [](const std::string& value) {
            return value.empty() ? Json(nullptr) : Json(value);
        };
        attention.push_back(
            Json{{"kind", item.kind},
                 {"urgent", item.urgent},
                 {"ip", text(item.ip)},
                 {"scope", text(item.scope)},
                 {"since", text(item.since)},
                 {"title", item.title},
                 {"detail", text(item.detail)},
                 {"action", text(item.action)},
                 {"receiver", text(item.receiver)},
                 {"episode_id", item.episode_id ? Json(item.episode_id) : Json(nullptr)},
                 {"probe_id", item.probe_id ? Json(item.probe_id) : Json(nullptr)},
                 {"count", item.count}});
    }
    return Json{{"attention", attention},
                {"ips", Json(ips)},
                {"scopes", Json(scopes)},
                {"cells", cells},
                {"unfolded_evidence", state.unfolded_evidence},
                {"now", utc_now_iso()}};
}

} // namespace smtpprobe::web
