// The backend-dependent seams of the generic history copy (see bulk_copy_hooks.hpp): the
// SQLite side and the PostgreSQL side.
#include "monitor/store/bulk_copy_hooks.hpp"

#include "monitor/store/database.hpp"

namespace smtpprobe::store {

void after_bulk_import(Database& db, const std::string& table)
{
    if (!db.is_postgresql()) {
        return; // SQLite: rowid allocation already continues past the largest id
    }
    // The table's identity sequence past the largest imported id (nothing for a table
    // without one: pg_get_serial_sequence gives NULL and setval of NULL is NULL). table is a
    // name of our schema (schema_tables), never peer text.
    Statement has_id(db, "SELECT 1 FROM information_schema.columns WHERE table_schema = "
                         "current_schema() AND table_name = ? AND column_name = 'id'");
    has_id.bind(1, table);
    if (!has_id.step()) {
        return;
    }
    Statement move(db, "SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT max(id) FROM \"" +
                           table + "\"))");
    move.bind(1, table);
    move.step();
}

ExportSnapshot::ExportSnapshot(Database& db) : m_db(db)
{
    // PostgreSQL's default (READ COMMITTED) takes a new snapshot per statement: one snapshot
    // for the whole export needs REPEATABLE READ.
    m_db.exec(m_db.is_postgresql() ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
}

ExportSnapshot::~ExportSnapshot()
{
    try {
        m_db.exec("COMMIT");
    } catch (...) {
        // A read transaction: nothing was written, nothing can be lost.
    }
}

} // namespace smtpprobe::store
