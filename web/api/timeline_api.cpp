// /api/episodes, /api/notes and /api/timeline: what the timeline page draws. Filters are
// optional and combine: ip, scope, a time window [from, to]. An episode belongs to the window
// when it overlaps it (opened <= to, and still open or closed >= from).
#include "probe/text/json_output.hpp"
#include "web/api/api.hpp"
#include "web/api/json_text.hpp"

namespace smtpprobe::web {
namespace {

struct Filter {
    std::optional<std::string> ip;
    std::optional<std::string> scope;
    std::string from;
    std::string to;
};

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

// Binds :ip, :scope (NULL = any), :from, :to.
void bind_filter(store::Statement& stmt, const Filter& filter)
{
    stmt.bind(":ip", filter.ip);
    stmt.bind(":scope", filter.scope);
    stmt.bind(":from", filter.from);
    stmt.bind(":to", filter.to);
}

// Binds the filter and a limit of one more row than wanted, and collects up to `limit` rows
// made by `make_row`; `truncated` tells whether more matched.
template <class MakeRow>
Json collect_limited(store::Statement& stmt, const Filter& filter, std::int64_t limit,
                     bool& truncated, MakeRow make_row)
{
    bind_filter(stmt, filter);
    stmt.bind(":limit", limit + 1);
    Json out = Json::array();
    while (stmt.step()) {
        if (static_cast<std::int64_t>(out.size()) == limit) {
            truncated = true;
            break;
        }
        out.push_back(make_row(stmt));
    }
    return out;
}

Json episodes_for(Database& db, const Filter& filter, std::int64_t limit, bool& truncated)
{
    auto stmt = db.prepare(
        "SELECT id, ip, scope, opened, closed, first_evidence, last_evidence, reason, codes, "
        "evidence_count FROM episode "
        "WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS NULL OR scope = :scope) "
        "AND opened <= :to AND (closed IS NULL OR closed >= :from) "
        "ORDER BY opened, id LIMIT :limit");
    return collect_limited(stmt, filter, limit, truncated, [](const store::Statement& row) {
        return Json{{"id", row.column_int(0)},
                    {"ip", row.column_text(1)},
                    {"scope", row.column_text(2)},
                    {"opened", row.column_text(3)},
                    {"closed", column_json_text(row, 4)},
                    {"first_evidence", column_json_int(row, 5)},
                    {"last_evidence", column_json_int(row, 6)},
                    {"reason", column_json_text(row, 7)},
                    {"codes", column_json_document(row, 8)},
                    {"evidence_count", row.column_int(9)}};
    });
}

Json notes_for(Database& db, const Filter& filter, std::int64_t limit, bool& truncated)
{
    // A note without IP or scope belongs to every lane.
    auto stmt = db.prepare("SELECT id, time, ip, scope, text FROM note "
                           "WHERE (:ip IS NULL OR ip IS NULL OR ip = :ip) "
                           "AND (:scope IS NULL OR scope IS NULL OR scope = :scope) "
                           "AND time >= :from AND time <= :to ORDER BY time, id LIMIT :limit");
    return collect_limited(stmt, filter, limit, truncated, [](const store::Statement& row) {
        return Json{{"id", row.column_int(0)},
                    {"time", row.column_text(1)},
                    {"ip", column_json_text(row, 2)},
                    {"scope", column_json_text(row, 3)},
                    {"text", row.column_text(4)}};
    });
}

// Evidence in the window in time order. Three statements so each uses its own index
// (ip,scope,time / ip,time / scope,time / time) instead of one generic plan.
// Written as JSON text directly: this is the answer with thousands of rows.
std::string evidence_for(Database& db, const Filter& filter, std::int64_t limit, bool& truncated)
{
    const char* columns = "SELECT id, time, ip, scope, verdict, reason, provider_code, "
                          "source_kind, source_id, observations, last_time FROM evidence ";
    std::string where;
    if (filter.ip && filter.scope) {
        where = "WHERE ip = :ip AND scope = :scope AND ";
    } else if (filter.ip) {
        where = "WHERE ip = :ip AND ";
    } else if (filter.scope) {
        where = "WHERE scope = :scope AND ";
    } else {
        where = "WHERE ";
    }
    auto stmt = db.prepare(std::string(columns) + where +
                           "time >= :from AND time <= :to ORDER BY time, id LIMIT :limit");
    if (filter.ip) {
        stmt.bind(":ip", *filter.ip);
    }
    if (filter.scope) {
        stmt.bind(":scope", *filter.scope);
    }
    stmt.bind(":from", filter.from);
    stmt.bind(":to", filter.to);
    stmt.bind(":limit", limit + 1);
    std::string out = "[";
    std::int64_t count = 0;
    while (stmt.step()) {
        if (count == limit) {
            truncated = true;
            break;
        }
        out += count++ ? ",{\"id\":" : "{\"id\":";
        append_json_int(out, stmt.column_int(0));
        out += ",\"time\":";
        append_json_string(out, stmt.column_text(1));
        out += ",\"ip\":";
        append_json_string(out, stmt.column_text(2));
        out += ",\"scope\":";
        append_json_string(out, stmt.column_text(3));
        out += ",\"verdict\":";
        append_json_string(out, stmt.column_text(4));
        out += ",\"reason\":";
        append_json_optional(out, stmt.column_optional_text(5));
        out += ",\"provider_code\":";
        append_json_optional(out, stmt.column_optional_text(6));
        out += ",\"source_kind\":";
        append_json_string(out, stmt.column_text(7));
        out += ",\"source_id\":";
        append_json_int(out, stmt.column_int(8));
        out += ",\"observations\":";
        append_json_int(out, stmt.column_int(9));
        out += ",\"last_time\":";
        append_json_optional(out, stmt.column_optional_text(10));
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
    query.allow_only({"ip", "scope", "from", "to", "limit"});
    Filter filter = read_filter(query);
    std::int64_t limit = query.integer("limit", 2000, 1, k_max_timeline_evidence);
    bool episodes_truncated = false;
    bool evidence_truncated = false;
    bool notes_truncated = false;
    Json head;
    head["from"] = filter.from;
    head["to"] = filter.to;
    head["episodes"] = episodes_for(db, filter, 10000, episodes_truncated);
    head["notes"] = notes_for(db, filter, 10000, notes_truncated);
    head["reports"] = report_lane_items(db, filter.ip, filter.scope, filter.from, filter.to, 5000);
    std::string evidence = evidence_for(db, filter, limit, evidence_truncated);
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
