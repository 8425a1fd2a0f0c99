// The JSON API of the dashboard (documented in web/API.md). Each endpoint is one function from
// the read-only store and the validated query to a JSON document; the router maps paths to
// them. Parameters that do not validate throw BadRequest (400); a missing row throws NotFound.
// Every string in the output is data for the client, escaped by the JSON serialiser.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"
#include "web/http/query.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace smtpprobe::web {

// A resource that does not exist (a probe id): answered 404 with {"error": what()}.
class NotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Json = nlohmann::json;
using store::Database;

// Limits that keep every answer bounded in size and time.
inline constexpr std::int64_t k_max_page = 1000;
inline constexpr std::int64_t k_max_timeline_evidence = 20000;

Json api_status(Database& db, const Query& query); // /api/status
// /api/overview: the one state query (monitor/evidence/state_query.hpp) as cells, led by
// what needs attention (monitor/status/attention_list.hpp).
Json api_overview(Database& db, const config::Config& config, const Query& query);
Json api_episodes(Database& db, const Query& query); // /api/episodes
// /api/timeline, as JSON text (written directly: thousands of rows).
std::string api_timeline(Database& db, const Query& query);
Json api_evidence(Database& db, const Query& query); // /api/evidence
Json api_probes(Database& db, const Query& query);   // /api/probes
Json api_probe(Database& db, std::int64_t id);       // /api/probes/{id}
// /api/dnsbl: the answers, with listed since / delisted at from the state query and the
// zone's delist URL from the config.
Json api_dnsbl(Database& db, const config::Config& config, const Query& query);
Json api_notes(Database& db, const Query& query);   // /api/notes
Json api_ingest(Database& db, const Query& query);  // /api/ingest
Json api_hygiene(Database& db, const Query& query); // /api/hygiene
Json api_reports(Database& db, const Query& query); // /api/reports (reports_api.cpp)
// The timeline's items from receivers' reports (DMARC counts of our IPs, SNDS signals) in a
// window, each with kind, time, end, ip and scope (reports_api.cpp).
Json report_lane_items(Database& db, const std::optional<std::string>& ip,
                       const std::optional<std::string>& scope, const std::string& from,
                       const std::string& to, std::int64_t limit);

// A nullable store value as JSON: nullopt (NULL) becomes null.
Json json_or_null(const std::optional<std::string>& value);
Json json_or_null(const std::optional<std::int64_t>& value);
// A stored JSON text (codes, extensions) parsed; kept as a string when it is not valid JSON;
// null when NULL.
Json json_document(const std::optional<std::string>& text);

} // namespace smtpprobe::web
