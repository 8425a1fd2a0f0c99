// /api/status (cheap: answered thousands of times a second) and /api/overview (what needs
// attention, counts per state, then the sending IP x receiver scope pairs with evidence of one
// page of IPs: the current state, since when, code and action, read from the one state query).
#include "monitor/evidence/state_page.hpp"
#include "monitor/status/attention_list.hpp"
#include "monitor/store/evidence_pages.hpp"
#include "probe/text/utc_time.hpp"
#include "web/api/api.hpp"

#include <cstdint>
#include <limits>
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

namespace {

// IPs per page of /api/overview: every pair of a single server (a handful of IPs) on one
// page; a fleet pages (5,000 IPs x 50 scopes is 250,000 pairs).
constexpr std::int64_t k_overview_ips = 20;
constexpr std::int64_t k_overview_max_ips = 1000;
// Attention items sent: the most urgent and newest first; attention_total says how many.
constexpr std::int64_t k_attention_items = 100;

Json cell_json(const evidence::ScopeState& s)
{
    Json explanation = nullptr;
    if (!s.meaning.empty() || !s.action.empty()) {
        explanation = Json{{"meaning", s.meaning}, {"action", s.action}};
    }
    return Json{{"ip", s.ip},
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
                {"explanation", explanation}};
}

Json attention_json(const monitor::AttentionItem& item)
{
    auto text = [](const std::string& value) {
        return value.empty() ? Json(nullptr) : Json(value);
    };
    return Json{{"kind", item.kind},
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
                {"count", item.count}};
}

} // namespace

Json api_overview(Database& db, const config::Config& config, const Query& query)
{
    query.allow_only({"node", "state", "offset", "limit"});
    // The one state query's rows (the same answer as `status`, the alerts and /metrics), a
    // page at a time: counts over every pair, the attention list, then every pair of one page
    // of IPs (sorted). With node: only the pairs that node observed (an unknown node: none),
    // like `status --node`; with state: only IPs and pairs in that state.
    evidence::StatePageRequest request;
    request.node = query.node("node").value_or("");
    request.state = query.one_of("state", {"blocked", "clear", "unknown"}).value_or("");
    request.offset = query.integer("offset", 0, 0, std::numeric_limits<std::int32_t>::max());
    request.limit = query.integer("limit", k_overview_ips, 1, k_overview_max_ips);
    request.newest_blocked = k_attention_items;
    const evidence::StatePage page = evidence::read_state_page(db, config, request);

    Json cells = Json::array();
    std::set<std::string> scopes;
    for (const evidence::ScopeState& s : page.cells.scopes) {
        scopes.insert(s.scope);
        cells.push_back(cell_json(s));
    }
    // The attention list over the newest blocked pairs (the older ones cannot be among the
    // first k_attention_items: blocked items are urgent and sorted newest first).
    std::vector<monitor::AttentionItem> items =
        monitor::attention_list(db, page.newest_blocked, monitor::now(), request.node);
    const auto total = static_cast<std::int64_t>(items.size()) -
                       static_cast<std::int64_t>(page.newest_blocked.scopes.size()) +
                       page.counts.blocked;
    Json attention = Json::array();
    for (const monitor::AttentionItem& item : items) {
        if (static_cast<std::int64_t>(attention.size()) >= k_attention_items) {
            break;
        }
        attention.push_back(attention_json(item));
    }
    const store::StateCounts& c = page.counts;
    const std::int64_t next = request.offset + request.limit;
    return Json{
        {"attention", attention},
        {"attention_total", total},
        {"counts", Json{{"pairs", c.pairs},
                        {"ips", c.ips},
                        {"blocked", c.blocked},
                        {"clear", c.clear},
                        {"unknown", c.unknown},
                        {"blocked_ips", c.blocked_ips}}},
        {"page", Json{{"offset", request.offset},
                      {"limit", request.limit},
                      {"state", request.state.empty() ? Json(nullptr) : Json(request.state)},
                      {"ips", page.ips_total},
                      {"next_offset", next < page.ips_total ? Json(next) : Json(nullptr)}}},
        {"ips", Json(page.ips)},
        {"scopes", Json(scopes)},
        {"cells", cells},
        {"unfolded_evidence", page.cells.unfolded_evidence},
        {"now", utc_now_iso()}};
}

} // namespace smtpprobe::web
