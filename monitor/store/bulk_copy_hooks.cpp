// The backend-dependent seams of the generic history copy (see bulk_copy_hooks.hpp): the
// SQLite side. The PostgreSQL backend replaces the bodies (issue 20).
#include "monitor/store/bulk_copy_hooks.hpp"

#include "monitor/store/database.hpp"

namespace smtpprobe::store {

void after_bulk_import(Database& db, const std::string& table)
{
    (void)db;
    (void)table; // SQLite: rowid allocation already continues past the largest id
}

ExportSnapshot::ExportSnapshot(Database& db) : m_db(db)
{
    m_db.exec("BEGIN");
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
