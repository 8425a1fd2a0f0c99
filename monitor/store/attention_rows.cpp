// The "needs attention" list's SQL (see attention_rows.hpp).
#include "monitor/store/attention_rows.hpp"

namespace smtpprobe::store {

std::vector<FindingGroup> read_finding_groups(Database& db)
{
    // Per group the count and time span, and detail, action and id of its newest row (window
    // functions: both backends; a bare column beside an aggregate is SQLite's alone).
    Statement st(db, "SELECT kind, ip, scope, n, first_time, last_time, coalesce(detail, ''), "
                     "coalesce(action, ''), id FROM (SELECT kind, coalesce(ip, '') AS ip, "
                     "coalesce(scope, '') AS scope, detail, action, id, count(*) OVER w AS n, "
                     "min(time) OVER w AS first_time, max(time) OVER w AS last_time, "
                     "row_number() OVER (PARTITION BY kind, coalesce(ip, ''), coalesce(scope, '') "
                     "ORDER BY id DESC) AS newest FROM finding WINDOW w AS (PARTITION BY kind, "
                     "coalesce(ip, ''), coalesce(scope, ''))) AS g WHERE newest = 1 "
                     "ORDER BY last_time DESC");
    std::vector<FindingGroup> rows;
    while (st.step()) {
        rows.push_back(FindingGroup{st.column_text(0), st.column_text(1), st.column_text(2),
                                    st.column_int(3), st.column_text(4), st.column_text(5),
                                    st.column_text(6), st.column_text(7), st.column_int(8)});
    }
    return rows;
}

std::vector<DsnTestRow> latest_dsn_tests(Database& db)
{
    // The newest run per target (a NULL target is one target), read from the DSN tests alone
    // (index probe_run_script, schema 020): a fleet's probe_run holds a year of sessions.
    Statement st(db, "SELECT id, started_at, coalesce(target, ''), coalesce(mx_host, ''), "
                     "coalesce(verdict, '') FROM (SELECT id, started_at, target, mx_host, "
                     "verdict, row_number() OVER (PARTITION BY target ORDER BY id DESC) AS n "
                     "FROM probe_run WHERE script = 'dsn-test') AS latest WHERE n = 1 "
                     "ORDER BY target");
    std::vector<DsnTestRow> rows;
    while (st.step()) {
        rows.push_back(DsnTestRow{st.column_int(0), st.column_text(1), st.column_text(2),
                                  st.column_text(3), st.column_text(4)});
    }
    return rows;
}

std::vector<TaskRow> read_tasks(Database& db)
{
    Statement st(db, "SELECT task, last_run, next_due, coalesce(last_result, '') "
                     "FROM run_schedule ORDER BY task");
    std::vector<TaskRow> rows;
    while (st.step()) {
        rows.push_back(
            TaskRow{st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3)});
    }
    return rows;
}

std::vector<ClosedEpisode> latest_closed_episodes(Database& db, const std::string& scope_prefix)
{
    // substr() rather than LIKE: a scope may hold '%' or '_' as the peer wrote it.
    Statement st(db, "SELECT ip, scope, opened, closed FROM (SELECT ip, scope, opened, closed, "
                     "row_number() OVER (PARTITION BY ip, scope ORDER BY closed DESC, id DESC) "
                     "AS newest FROM episode WHERE closed IS NOT NULL AND "
                     "substr(scope, 1, length(?1)) = ?1) AS e WHERE newest = 1 "
                     "ORDER BY ip, scope");
    st.bind(1, scope_prefix);
    std::vector<ClosedEpisode> rows;
    while (st.step()) {
        rows.push_back(ClosedEpisode{st.column_text(0), st.column_text(1), st.column_text(2),
                                     st.column_text(3)});
    }
    return rows;
}

} // namespace smtpprobe::store
