// node_run SQL (see node_rows.hpp).
#include "monitor/store/node_rows.hpp"

namespace smtpprobe::store {

void record_node_run(Database& db, const NodeRunRow& row)
{
    db.prepare("INSERT INTO node_run (node, last_started, last_finished, last_success, "
               "last_result, interval_seconds) VALUES (?1, ?2, ?3, CASE WHEN ?4 = 'ok' THEN ?3 "
               "END, ?4, ?5) ON CONFLICT(node) DO UPDATE SET "
               "last_started = excluded.last_started, last_finished = excluded.last_finished, "
               "last_success = coalesce(excluded.last_success, node_run.last_success), "
               "last_result = excluded.last_result, interval_seconds = excluded.interval_seconds")
        .bind(1, row.node)
        .bind(2, row.last_started)
        .bind(3, row.last_finished)
        .bind(4, row.last_result)
        .bind(5, row.interval_seconds)
        .run();
}

std::int64_t count_observing_nodes(Database& db)
{
    Statement st(db, "SELECT count(*) FROM (SELECT node FROM node_run UNION SELECT node FROM "
                     "ingest_cursor UNION SELECT node FROM probe_run) AS seen WHERE node IS NOT "
                     "NULL AND node <> ''");
    return st.step() ? st.column_int(0) : 0;
}

std::vector<NodeRunRow> read_node_runs(Database& db)
{
    std::vector<NodeRunRow> rows;
    if (!table_exists(db, "node_run")) {
        return rows;
    }
    Statement st(db, "SELECT node, last_started, last_finished, coalesce(last_success, ''), "
                     "last_result, interval_seconds FROM node_run ORDER BY node");
    while (st.step()) {
        rows.push_back(NodeRunRow{st.column_text(0), st.column_text(1), st.column_text(2),
                                  st.column_text(3), st.column_text(4), st.column_int(5)});
    }
    return rows;
}

} // namespace smtpprobe::store
