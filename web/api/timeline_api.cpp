// /api/episodes, /api/notes and /api/timeline: what the timeline page draws. Filters are
// optional and combine: ip, scope, a time window [from, to]. An episode belongs to the window
// when it overlaps it (opened <= to, and still open or closed >= from).
#include "monitor/store/evidence_pages.hpp"
#include "monitor/store/timeline_rows.hpp"
#include "probe/text/json_output.hpp"
#include "web/api/api.hpp"
#include "web/api/json_text.hpp"

namespace smtpprobe::web {
namespace {

using Filter = store::TimeWindow;

Filter read_filter(const Query& query)
{
    Filter filter;
    filter.ip = query.ip("ip");
    filter.scope = query.scope("scope");
    // Stored times are ISO 8601 text, so the widest window is two sentinels that sort
    // before and after every real time.
    filter.from = query.time("from").value_or("0000-01-01T00:00:00Z");
    filter.to = query.time("to").value_or("9999-12-31T23:59:59Z");
    if (filter.from > filter.to) {
        throw BadRequest("parameter 'from' is after 'to'");
    }
    return filter;
}

// Up to limit rows made by make_row from a query asked for one row more; truncated tells
// whether more matched.
template <class Row, class MakeRow>
Json first_rows(const std::vector<Row>& rows, std::int64_t limit, bool& truncated, MakeRow make_row)
{
    Json out = Json::array();
    for (const Row& row : rows) {
        if (static_cast<std::int64_t>(out.size()) == limit) {
            truncated = true;
            break;
        }
        out.push_back(make_row(row));
    }
    return out;
}

Json episodes_for(Database& db, const Filter& filter, std::int64_t limit, bool& truncated)
{
    return first_rows(store::read_episodes_in_window(db, filter, limit + 1), limit, truncated,
                      [](const store::WindowEpisodeRow& row) {
                          return Json{{"id", row.id},
                                      {"ip", row.ip},
                                      {"scope", row.scope},
                                      {"opened", row.opened},
                                      {"closed", json_or_null(row.closed)},
                                      {"first_evidence", json_or_null(row.first_evidence)},
                                      {"last_evidence", json_or_null(row.last_evidence)},
                                      {"reason", json_or_null(row.reason)},
                                      {"codes", json_document(row.codes)},
                                      {"evidence_count", row.evidence_count}};
                      });
}

Json notes_for(Database& db, const Filter& filter, std::int64_t limit, bool& truncated)
{
    return first_rows(store::read_notes_in_window(db, filter, limit + 1), limit, truncated,
                      [](const store::WindowNoteRow& row) {
                          return Json{{"id", row.id},
                                      {"time", row.time},
                                      {"ip", json_or_null(row.ip)},
                                      {"scope", json_or_null(row.scope)},
                                      {"text", row.text}};
                      });
}

// Evidence in the window in time order, written as JSON text directly: this is the answer
// with thousands of rows.
std::string evidence_for(Database& db, const Filter& filter, std::int64_t limit, bool& truncated,
                         const std::optional<std::string>& node)
{
    const std::vector<store::EvidenceListRow> rows = store::read_evidence_window(
        db, filter.ip, filter.scope, filter.from, filter.to, limit + 1, node);
    std::string out = "[";
    std::int64_t count = 0;
    for (const store::EvidenceListRow& row : rows) {
        if (count == limit) {
            truncated = true;
            break;
        }
        out += count++ ? ",{\"id\":" : "{\"id\":";
        append_json_int(out, row.id);
        out += ",\"time\":";
        append_json_string(out, row.time);
        out += ",\"ip\":";
        append_json_string(out, row.ip);
        out += ",\"scope\":";
        append_json_string(out, row.scope);
        out += ",\"verdict\":";
        append_json_string(out, row.verdict);
        out += ",\"reason\":";
        append_json_optional(out, row.reason);
        out += ",\"provider_code\":";
        append_json_optional(out, row.provider_code);
        out += ",\"source_kind\":";
        append_json_string(out, row.source_kind);
        out += ",\"source_id\":";
        append_json_int(out, row.source_id);
        out += ",\"observations\":";
        append_json_int(out, row.observations);
        out += ",\"last_time\":";
        append_json_optional(out, row.last_time);
        out += '}';
    }
    out += ']';
    return out;
}

} // namespace

Json api_episodes(Database& db, const Query& query)
{
    query.allow_only({"ip", "scope", "from", "to", "limit"});
    Filter filter = read_filter(query);
    std::int64_t limit = query.integer("limit", k_max_page, 1, 10000);
    bool truncated = false;
    Json episodes = episodes_for(db, filter, limit, truncated);
    return Json{{"episodes", std::move(episodes)}, {"truncated", truncated}};
}

Json api_notes(Database& db, const Query& query)
{
    query.allow_only({"ip", "scope", "from", "to", "limit"});
    Filter filter = read_filter(query);
    std::int64_t limit = query.integer("limit", k_max_page, 1, 10000);
    bool truncated = false;
    Json notes = notes_for(db, filter, limit, truncated);
    return Json{{"notes", std::move(notes)}, {"truncated", truncated}};
}

std::string api_timeline(Database& db, const Query& query)
{
    query.allow_only({"ip", "scope", "from", "to", "limit", "node"});
    Filter filter = read_filter(query);
    std::int64_t limit = query.integer("limit", 2000, 1, k_max_timeline_evidence);
    // node: the evidence that node observed (schema 018); episodes, notes and reports are the
    // fleet's and stay as they are.
    const std::optional<std::string> node = query.node("node");
    bool episodes_truncated = false;
    bool evidence_truncated = false;
    bool notes_truncated = false;
    Json head;
    head["from"] = filter.from;
    head["to"] = filter.to;
    head["episodes"] = episodes_for(db, filter, 10000, episodes_truncated);
    head["notes"] = notes_for(db, filter, 10000, notes_truncated);
    head["reports"] = report_lane_items(db, filter.ip, filter.scope, filter.from, filter.to, 5000);
    std::string evidence = evidence_for(db, filter, limit, evidence_truncated, node);
    head["truncated"] = episodes_truncated || evidence_truncated || notes_truncated;
    head["evidence_limit"] = limit;
    // The small parts through nlohmann, the evidence array spliced in before the closing brace.
    std::string out = json_text(head);
    out.pop_back();
    out += ",\"evidence\":";
    out += evidence;
    out += '}';
    return out;
}

} // namespace smtpprobe::web
