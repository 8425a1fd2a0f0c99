// /api/evidence: the evidence stream, newest first by time, paged by a row id (before = rows
// after this one in that order, after = rows before it), each row with the text of its source and
// the classifier's meaning and action. Filters: ip, scope, verdict, kind (source kind).
#include "monitor/store/evidence_pages.hpp"
#include "web/api/api.hpp"
#include "web/api/explanation.hpp"

#include <algorithm>
#include <cstdint>

namespace smtpprobe::web {
Json api_evidence(Database& db, const Query& query)
{
    query.allow_only({"ip", "scope", "verdict", "kind", "limit", "before", "after", "node"});
    auto ip = query.ip("ip");
    auto scope = query.scope("scope");
    auto verdict = query.one_of("verdict", {"blocked", "clear", "unknown"});
    auto kind = query.one_of("kind", {"probe", "log", "bounce", "dnsbl", "note"});
    std::int64_t limit = query.integer("limit", 50, 1, k_max_page);
    auto before = query.optional_integer("before", 1, INT64_MAX);
    auto after = query.optional_integer("after", 0, INT64_MAX);
    if (before && after) {
        throw BadRequest("give 'before' or 'after', not both");
    }
    // Newest first by time (ties by id): an older log or bounce ingested later gets a higher
    // id but belongs further down. The cursor is a row id; its (time, id) is where the page
    // starts. Paging forward (after) walks up, then the page is reversed so every page reads
    // newest first.
    const std::vector<store::EvidenceListRow> page = store::read_evidence_page(
        db, {ip, scope, verdict, kind, after, before, limit, query.node("node")});
    Json rows = Json::array();
    for (const store::EvidenceListRow& row : page) {
        Json source = evidence_source(db, row.source_kind, row.source_id);
        Json explanation = explain_source(source);
        rows.push_back(Json{{"id", row.id},
                            {"time", row.time},
                            {"ip", row.ip},
                            {"scope", row.scope},
                            {"verdict", row.verdict},
                            {"reason", json_or_null(row.reason)},
                            {"provider_code", json_or_null(row.provider_code)},
                            {"source_kind", row.source_kind},
                            {"source_id", row.source_id},
                            {"observations", row.observations},
                            {"last_time", json_or_null(row.last_time)},
                            {"node", json_or_null(row.node)},
                            {"source", std::move(source)},
                            {"explanation", std::move(explanation)}});
    }
    if (after) {
        std::reverse(rows.begin(), rows.end());
    }
    Json out{{"evidence", rows}, {"limit", limit}};
    // Cursors for the next pages; null when there is nothing on that side of this page.
    out["next_before"] = nullptr;
    out["next_after"] = nullptr;
    if (!rows.empty()) {
        out["next_before"] = rows.back()["id"];
        out["next_after"] = rows.front()["id"];
    }
    return out;
}

} // namespace smtpprobe::web
