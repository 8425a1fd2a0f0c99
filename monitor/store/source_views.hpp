// The SQL of what the sources stored, as the web's /api/dnsbl, /api/ingest and /metrics show
// it: counts per source grouped by one column, row counts per table, the latest DNSBL answer per
// (IP, zone) and the listings, the file cursors, recent findings, the newest delivery. Reads
// only; nullable columns are std::optional.
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/ingest_state_rows.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// What a grouped count counts, and by which column.
enum class Grouped {
    deliveries_by_mta,
    deliveries_by_reason,
    bounces_by_kind,
    bounces_by_reason,
    evidence_rows_by_source,         // rows
    evidence_observations_by_source, // observations (a log's clear row counts several)
    evidence_observations_by_verdict,
    probe_runs_by_outcome,
    dnsbl_checks_by_result,
    findings_by_kind,
};
struct GroupedCount {
    std::optional<std::string> key; // nullopt: the column was NULL
    std::int64_t count = 0;
};
// One count per distinct value, ordered by the value.
std::vector<GroupedCount> read_grouped_counts(Database& db, Grouped which);

// /metrics: evidence observations per verdict and source kind.
struct VerdictSourceCount {
    std::string verdict, source_kind;
    std::int64_t observations = 0;
};
std::vector<VerdictSourceCount> read_observations_by_verdict_and_source(Database& db);

// /metrics: when the latest finding of each kind was observed (ISO 8601 UTC).
struct FindingKindTime {
    std::string kind, time;
};
std::vector<FindingKindTime> read_latest_finding_times(Database& db);

// The tables whose row count /metrics reports.
enum class CountedTable { delivery, bounce, probe_run, dnsbl_check, note };
std::int64_t count_table_rows(Database& db, CountedTable table);

// One dnsbl_check row as the views show it.
struct DnsblCheckView {
    std::int64_t id = 0;
    std::string time;
    std::string ip;
    std::string zone;
    std::string result;
    std::optional<std::string> codes; // JSON text
    std::optional<std::string> txt;
    std::optional<std::string> meaning;
};
// The latest check of each (ip, zone), of one ip and/or zone when given, ordered by ip, zone.
std::vector<DnsblCheckView> read_latest_dnsbl(Database& db, const std::optional<std::string>& ip,
                                              const std::optional<std::string>& zone);
// Checks that found a listing, newest first, at most limit.
std::vector<DnsblCheckView> read_dnsbl_listings(Database& db, const std::optional<std::string>& ip,
                                                const std::optional<std::string>& zone,
                                                std::int64_t limit);

// Every file cursor of every node, ordered by path, then node ('' first: before fleets).
std::vector<IngestCursorRow> read_ingest_cursors(Database& db);

// The newest findings (highest id first), at most limit.
struct RecentFinding {
    std::int64_t id = 0;
    std::string time;
    std::string kind;
    std::optional<std::string> host;
    std::optional<std::string> queue_id;
    std::optional<std::string> detail;
};
std::vector<RecentFinding> read_recent_findings(Database& db, std::int64_t limit);

// The time of the newest delivery row, if any.
std::optional<std::string> last_delivery_time(Database& db);

} // namespace smtpprobe::store
