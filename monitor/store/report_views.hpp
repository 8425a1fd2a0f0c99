// The SQL of the receivers' reports as the web shows them (issue 19; web/api/reports_api.cpp,
// web/metrics/report_metrics.cpp): DMARC counts per day and per report, TLS-RPT policies, SNDS
// data rows, fetches and status ranges, and their per-IP summaries for /metrics. Reads only;
// the tables come with migration 016 (callers check table_exists first). Nullable columns are
// std::optional. The writes are in dmarc_store.hpp, tlsrpt_store.hpp and snds_store.hpp.
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/timeline_rows.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// DMARC messages of one day, receiver scope and source IP (pass: aligned DKIM or SPF).
struct DmarcDayRow {
    std::string day;
    std::string scope;
    std::string ip;
    bool ours = false;
    std::int64_t messages = 0;
    std::int64_t passed = 0;
    std::int64_t reports = 0;
};
// Newest day first, at most limit; reports that began in the window.
std::vector<DmarcDayRow> read_dmarc_per_day(Database& db, const TimeWindow& window,
                                            std::int64_t limit);

struct DmarcReportView {
    std::int64_t id = 0;
    std::string org, report_id, begin, end, scope, format;
    std::optional<std::string> policy_domain, p;
    std::int64_t records = 0;
    std::int64_t messages = 0;
    std::optional<std::string> notes; // JSON text
};
// Reports that began in the window (with a record of window.ip when given), newest first.
std::vector<DmarcReportView> read_dmarc_reports(Database& db, const TimeWindow& window,
                                                std::int64_t limit);

// One DMARC report's count for one of our IPs (the timeline's lane items).
struct DmarcLaneRow {
    std::string begin, end, ip, scope, org;
    std::int64_t messages = 0;
    std::int64_t passed = 0;
    std::int64_t report = 0;
};
std::vector<DmarcLaneRow> read_dmarc_lane(Database& db, const TimeWindow& window,
                                          std::int64_t limit);

struct TlsPolicyView {
    std::string organization, report_id, begin, end;
    std::optional<std::string> policy_domain, policy_type;
    std::optional<std::string> mx_host; // JSON text
    std::int64_t successful = 0;
    std::int64_t failed = 0;
    std::optional<std::string> failures; // JSON text
};
// Policies of reports that began in [from, to], newest first (about our inbound MX: not
// filtered by IP or scope).
std::vector<TlsPolicyView> read_tls_policies(Database& db, const std::string& from,
                                             const std::string& to, std::int64_t limit);

struct SndsDataView {
    std::string ip, start;
    std::optional<std::string> end;
    std::int64_t rcpt_commands = 0, data_commands = 0, recipients = 0;
    std::optional<std::string> filter, complaint_rate;
    std::optional<double> complaint_percent;
    std::int64_t trap_hits = 0;
    std::optional<std::string> sample_helo, sample_mail_from;
};
// SNDS rows that started in the window; window.scope, when given, must be snds_scope (SNDS is
// one receiver's view). newest_first: by start descending then IP; else by start.
std::vector<SndsDataView> read_snds_data(Database& db, const TimeWindow& window,
                                         const std::string& snds_scope, std::int64_t limit,
                                         bool newest_first);

// The latest fetch of each SNDS feed.
struct SndsFetchView {
    std::string feed, time, source, outcome;
    std::optional<std::string> detail;
    std::int64_t rows = 0;
    std::int64_t malformed = 0;
};
std::vector<SndsFetchView> read_snds_fetches(Database& db);
// The IP ranges of the latest status read.
struct SndsRangeView {
    std::string first_ip, last_ip;
    bool blocked = false;
    std::optional<std::string> reason;
};
std::vector<SndsRangeView> read_snds_ranges(Database& db);

// /metrics: the latest SNDS period per IP, ordered by IP (filter "" when NULL).
struct SndsLatestRow {
    std::string ip;
    std::string filter;
    std::string start_time; // the latest period's start (ISO 8601 UTC)
    std::int64_t trap_hits = 0;
    std::optional<double> complaint_percent;
};
std::vector<SndsLatestRow> read_snds_latest_per_ip(Database& db);
// /metrics: the verdict of the latest SNDS status read per IP (blocked | clear).
struct SndsIpVerdict {
    std::string ip;
    std::string verdict;
};
std::vector<SndsIpVerdict> read_snds_ip_verdicts(Database& db);
// /metrics: DMARC messages of our IPs per receiver scope and IP, and how many passed.
struct DmarcTotalRow {
    std::string scope, ip;
    std::int64_t passed = 0;
    std::int64_t messages = 0;
};
std::vector<DmarcTotalRow> read_dmarc_totals(Database& db);
// /metrics: TLS-RPT sessions per policy domain ("" when NULL).
struct TlsTotalRow {
    std::string policy_domain;
    std::int64_t successful = 0;
    std::int64_t failed = 0;
};
std::vector<TlsTotalRow> read_tls_totals(Database& db);

} // namespace smtpprobe::store
