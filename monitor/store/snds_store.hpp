// SQL of the SNDS feeds (schema/016_reports.sql): fetches, IP status rows, per-IP data rows,
// and what each fetch says about our IPs (snds_ip_state, the rows SNDS evidence points to).
//
// Contract: values bound; the key is never an argument of anything here. Data rows are unique
// per (ip, start time): the same period read again is not stored twice. The caller owns the
// transaction.
#pragma once

#include "monitor/ingest/reports/snds_feed.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace smtpprobe::store {

// Records one fetch (feed "ip-status" | "data") or file read ("file"); returns its id.
// source is the URL without its query (never the key) or the file path.
std::int64_t add_snds_fetch(Database& db, const std::string& time, const std::string& feed,
                            const std::string& source, const std::string& outcome,
                            const std::string& detail, std::int64_t rows, std::int64_t malformed);

// Whether a file with this content digest was read before (feed "file", detail = digest).
bool snds_file_seen(Database& db, const std::string& digest);

void add_snds_status_row(Database& db, std::int64_t fetch, const ingest::SndsStatusRow& row);

// Stores a data row; its id, or nullopt when (ip, start) is stored already.
std::optional<std::int64_t> add_snds_data(Database& db, std::int64_t fetch,
                                          const ingest::SndsDataRow& row);

// The stored data row of ip for the period before start, if any.
struct StoredSndsSignals {
    std::string start;
    std::string filter;
    std::int64_t trap_hits = 0;
    std::optional<double> complaint_percent;
};
std::optional<StoredSndsSignals> previous_snds_data(Database& db, const std::string& ip,
                                                    const std::string& start);

// Whether any stored data row is about ip (the SNDS account knows it).
bool snds_knows_ip(Database& db, const std::string& ip);

// Records what one fetch says about one of our IPs; returns the row id.
std::int64_t add_snds_ip_state(Database& db, std::int64_t fetch, const std::string& ip,
                               const std::string& verdict, const std::string& reason,
                               const std::string& first_ip, const std::string& last_ip);

} // namespace smtpprobe::store
