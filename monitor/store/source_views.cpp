// The sources' counts and listings SQL (see source_views.hpp).
#include "monitor/store/source_views.hpp"

namespace smtpprobe::store {

namespace {

const char* grouped_sql(Grouped which)
{
    switch (which) {
    case Grouped::deliveries_by_mta:
        return "SELECT mta, count(*) FROM delivery GROUP BY mta ORDER BY 1";
    case Grouped::deliveries_by_reason:
        return "SELECT reason, count(*) FROM delivery GROUP BY reason ORDER BY 1";
    case Grouped::bounces_by_kind:
        return "SELECT kind, count(*) FROM bounce GROUP BY kind ORDER BY 1";
    case Grouped::bounces_by_reason:
        return "SELECT reason, count(*) FROM bounce GROUP BY reason ORDER BY 1";
    case Grouped::evidence_rows_by_source:
        return "SELECT source_kind, count(*) FROM evidence GROUP BY source_kind ORDER BY 1";
    case Grouped::evidence_observations_by_source:
        return "SELECT source_kind, sum(observations) FROM evidence GROUP BY source_kind "
               "ORDER BY 1";
    case Grouped::evidence_observations_by_verdict:
        return "SELECT verdict, sum(observations) FROM evidence GROUP BY verdict ORDER BY 1";
    case Grouped::probe_runs_by_outcome:
        return "SELECT outcome, count(*) FROM probe_run GROUP BY outcome ORDER BY 1";
    case Grouped::dnsbl_checks_by_result:
        return "SELECT result, count(*) FROM dnsbl_check GROUP BY result ORDER BY 1";
    case Grouped::findings_by_kind:
        return "SELECT kind, count(*) FROM finding GROUP BY kind ORDER BY 1";
    }
    throw StoreError("unknown grouped count");
}

const char* count_sql(CountedTable table)
{
    switch (table) {
    case CountedTable::delivery:
        return "SELECT count(*) FROM delivery";
    case CountedTable::bounce:
        return "SELECT count(*) FROM bounce";
    case CountedTable::probe_run:
        return "SELECT count(*) FROM probe_run";
    case CountedTable::dnsbl_check:
        return "SELECT count(*) FROM dnsbl_check";
    case CountedTable::note:
        return "SELECT count(*) FROM note";
    }
    throw StoreError("unknown counted table");
}

DnsblCheckView dnsbl_row(const Statement& st)
{
    return {st.column_int(0),           st.column_text(1),         st.column_text(2),
            st.column_text(3),          st.column_text(4),         st.column_optional_text(5),
            st.column_optional_text(6), st.column_optional_text(7)};
}

} // namespace

std::vector<GroupedCount> read_grouped_counts(Database& db, Grouped which)
{
    Statement st(db, grouped_sql(which));
    std::vector<GroupedCount> out;
    while (st.step()) {
        out.push_back({st.column_optional_text(0), st.column_int(1)});
    }
    return out;
}

std::vector<VerdictSourceCount> read_observations_by_verdict_and_source(Database& db)
{
    Statement st(db, "SELECT verdict, source_kind, sum(observations) FROM evidence "
                     "GROUP BY verdict, source_kind ORDER BY 1, 2");
    std::vector<VerdictSourceCount> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_int(2)});
    }
    return out;
}

std::vector<FindingKindTime> read_latest_finding_times(Database& db)
{
    Statement st(db, "SELECT kind, max(time) FROM finding GROUP BY kind ORDER BY kind");
    std::vector<FindingKindTime> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1)});
    }
    return out;
}

std::int64_t count_table_rows(Database& db, CountedTable table)
{
    Statement st(db, count_sql(table));
    st.step();
    return st.column_int(0);
}

std::vector<DnsblCheckView> read_latest_dnsbl(Database& db, const std::optional<std::string>& ip,
                                              const std::optional<std::string>& zone)
{
    // The newest check of each (IP, zone) (window function: both backends).
    Statement st(db, "SELECT id, time, ip, zone, result, codes, txt, meaning FROM (SELECT *, "
                     "row_number() OVER (PARTITION BY ip, zone ORDER BY time DESC, id DESC) AS "
                     "newest FROM dnsbl_check WHERE (:ip IS NULL OR ip = :ip) AND (:zone IS NULL "
                     "OR zone = :zone)) AS c WHERE newest = 1 ORDER BY ip, zone");
    st.bind(":ip", ip);
    st.bind(":zone", zone);
    std::vector<DnsblCheckView> out;
    while (st.step()) {
        out.push_back(dnsbl_row(st));
    }
    return out;
}

std::vector<DnsblCheckView> read_dnsbl_listings(Database& db, const std::optional<std::string>& ip,
                                                const std::optional<std::string>& zone,
                                                std::int64_t limit)
{
    Statement st(db, "SELECT id, time, ip, zone, result, codes, txt, meaning FROM dnsbl_check "
                     "WHERE (:ip IS NULL OR ip = :ip) AND (:zone IS NULL OR zone = :zone) "
                     "AND result = 'listed' ORDER BY id DESC LIMIT :limit");
    st.bind(":ip", ip);
    st.bind(":zone", zone);
    st.bind(":limit", limit);
    std::vector<DnsblCheckView> out;
    while (st.step()) {
        out.push_back(dnsbl_row(st));
    }
    return out;
}

std::vector<IngestCursorRow> read_ingest_cursors(Database& db)
{
    Statement st(db, "SELECT node, path, identity, \"offset\", checksum, "
                     "coalesce(updated_at, ''), coalesce(content_id, '') FROM ingest_cursor "
                     "ORDER BY path, node");
    std::vector<IngestCursorRow> out;
    while (st.step()) {
        out.push_back({st.column_text(0), st.column_text(1), st.column_text(2), st.column_int(3),
                       st.column_text(4), st.column_text(5), st.column_text(6)});
    }
    return out;
}

std::vector<RecentFinding> read_recent_findings(Database& db, std::int64_t limit)
{
    Statement st(db, "SELECT id, time, kind, host, queue_id, detail FROM finding "
                     "ORDER BY id DESC LIMIT ?");
    st.bind_limit(1, limit);
    std::vector<RecentFinding> out;
    while (st.step()) {
        out.push_back({st.column_int(0), st.column_text(1), st.column_text(2),
                       st.column_optional_text(3), st.column_optional_text(4),
                       st.column_optional_text(5)});
    }
    return out;
}

std::optional<std::string> last_delivery_time(Database& db)
{
    Statement st(db, "SELECT max(time) FROM delivery");
    st.step();
    return st.column_optional_text(0);
}

} // namespace smtpprobe::store
