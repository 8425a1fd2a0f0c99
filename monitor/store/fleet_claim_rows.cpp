// fleet_probe_start and fleet_probe_lease SQL (see fleet_claim_rows.hpp).
#include "monitor/store/fleet_claim_rows.hpp"

namespace smtpprobe::store {

std::optional<FleetStartRow> read_fleet_start(Database& db, const std::string& receiver)
{
    Statement st(db, "SELECT receiver, started, node, coalesce(source_ip, '') "
                     "FROM fleet_probe_start WHERE receiver = ?");
    st.bind(1, receiver);
    if (!st.step()) {
        return std::nullopt;
    }
    return FleetStartRow{st.column_text(0), st.column_text(1), st.column_text(2),
                         st.column_text(3)};
}

void record_fleet_start(Database& db, const FleetStartRow& row)
{
    // The WHERE of the upsert keeps the later start (ISO 8601 UTC text sorts like time).
    db.prepare("INSERT INTO fleet_probe_start (receiver, started, node, source_ip) "
               "VALUES (?, ?, ?, ?) ON CONFLICT(receiver) DO UPDATE SET "
               "started = excluded.started, node = excluded.node, source_ip = excluded.source_ip "
               "WHERE excluded.started >= fleet_probe_start.started")
        .bind(1, row.receiver)
        .bind(2, row.started)
        .bind(3, row.node)
        .bind_text_or_null(4, row.source_ip)
        .run();
}

std::vector<FleetLeaseRow> read_open_fleet_leases(Database& db, const std::string& receiver,
                                                  const std::string& now)
{
    Statement st(db, "SELECT lease, receiver, node, coalesce(source_ip, ''), started, expires "
                     "FROM fleet_probe_lease WHERE receiver = ? AND expires > ? "
                     "ORDER BY started, lease");
    st.bind(1, receiver);
    st.bind(2, now);
    std::vector<FleetLeaseRow> rows;
    while (st.step()) {
        rows.push_back(FleetLeaseRow{st.column_text(0), st.column_text(1), st.column_text(2),
                                     st.column_text(3), st.column_text(4), st.column_text(5)});
    }
    return rows;
}

void insert_fleet_lease(Database& db, const FleetLeaseRow& row)
{
    db.prepare("INSERT INTO fleet_probe_lease (lease, receiver, node, source_ip, started, expires) "
               "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, row.lease)
        .bind(2, row.receiver)
        .bind(3, row.node)
        .bind_text_or_null(4, row.source_ip)
        .bind(5, row.started)
        .bind(6, row.expires)
        .run();
}

void delete_fleet_lease(Database& db, const std::string& lease)
{
    db.prepare("DELETE FROM fleet_probe_lease WHERE lease = ?").bind(1, lease).run();
}

void delete_expired_fleet_leases(Database& db, const std::string& now)
{
    db.prepare("DELETE FROM fleet_probe_lease WHERE expires <= ?").bind(1, now).run();
}

} // namespace smtpprobe::store
