// The "needs attention" list's SQL (see attention_rows.hpp).
#include "monitor/store/attention_rows.hpp"

namespace smtpprobe::store {

std::vector<FindingGroup> read_finding_groups(Database& db)
{
    // SQLite takes the bare columns (detail, action, id) from the row of max(id): the newest.
    Statement st(db, "SELECT kind, coalesce(ip, ''), coalesce(scope, ''), count(*), min(time), "
                     "max(time), coalesce(detail, ''), coalesce(action, ''), max(id) "
                     "FROM finding GROUP BY kind, coalesce(ip, ''), coalesce(scope, '') "
                     "ORDER BY max(time) DESC");
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
    Statement st(db, "SELECT p.id, p.started_at, coalesce(p.target, ''), coalesce(p.mx_host, ''), "
                     "coalesce(p.verdict, '') FROM probe_run p WHERE p.script = 'dsn-test' "
                     "AND p.id = (SELECT max(q.id) FROM probe_run q WHERE q.script = 'dsn-test' "
                     "AND q.target IS p.target) ORDER BY p.target");
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
    Statement st(db, "SELECT ip, scope, opened, max(closed) FROM episode "
                     "WHERE closed IS NOT NULL AND substr(scope, 1, length(?1)) = ?1 "
                     "GROUP BY ip, scope ORDER BY ip, scope");
    st.bind(1, scope_prefix);
    std::vector<ClosedEpisode> rows;
    while (st.step()) {
        rows.push_back(ClosedEpisode{st.column_text(0), st.column_text(1), st.column_text(2),
                                     st.column_text(3)});
    }
    return rows;
}

} // namespace smtpprobe::store
