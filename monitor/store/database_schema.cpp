// The schema side of the history's connection (see database.hpp): which tables exist, which
// migrations are applied, applying the rest, and the checks of read-only opens; the same on
// both backends except where PostgreSQL needs its own catalog query or lock.
#include "monitor/store/database.hpp"
#include "monitor/store/migrations.hpp"
#include "monitor/store/pg_connection.hpp"
#include "monitor/store/sql_dialect.hpp"
#include "probe/text/utc_time.hpp"

#include <filesystem>

namespace smtpprobe::store {
void refresh_statistics(Database& db)
{
    if (db.is_postgresql()) {
        db.exec("ANALYZE");
    }
}

bool history_exists(const std::string& location)
{
    if (pg::is_url(location)) {
        // The database exists (its owner created it); whether smtpprobe has written to it yet
        // is whether the schema is there.
        return pg::Connection(location, true).has_table("schema_migration");
    }
    std::error_code ec;
    return std::filesystem::exists(location, ec);
}

std::string display_location(const std::string& location)
{
    return pg::is_url(location) ? pg::redact(location) : location;
}

bool table_exists(Database& db, std::string_view name)
{
    Statement st(db, db.m_pg ? "SELECT 1 FROM information_schema.tables WHERE table_schema = "
                               "current_schema() AND table_name = ?"
                             : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    st.bind(1, name);
    return st.step();
}

int Database::schema_version()
{
    if (!table_exists(*this, "schema_migration")) {
        return 0;
    }
    Statement st(*this, "SELECT coalesce(max(version), 0) FROM schema_migration");
    st.step();
    return static_cast<int>(st.column_int(0));
}

void Database::check_read_only_schema()
{
    const int have = schema_version();
    const int want = migrations().empty() ? 0 : migrations().back().version;
    if (have == 0) {
        throw StoreError(m_path + ": not an smtpprobe history (no schema)");
    }
    if (have < want) {
        throw StoreError(m_path + ": schema version " + std::to_string(have) +
                         " is older than this smtpprobe's " + std::to_string(want) +
                         " and a read-only command cannot upgrade it: run `smtpprobe run` (or "
                         "any ingest) once with write access");
    }
    // A newer schema was refused before (refuse_newer_schema).
}

void Database::refuse_newer_schema()
{
    const int known = migrations().empty() ? 0 : migrations().back().version;
    const int found = schema_version();
    if (found > known) {
        throw StoreError(m_path + ": schema version " + std::to_string(found) +
                         " is newer than this smtpprobe (" SMTPPROBE_VERSION ") supports (up to " +
                         std::to_string(known) + "); use a newer smtpprobe (database unchanged)");
    }
}

void Database::migrate()
{
    if (m_pg) {
        // Nodes that start at once: one migrates, the others wait here and then find every
        // migration applied. A session lock, released below or when the connection ends.
        exec("SELECT pg_advisory_lock(" + std::to_string(pg::k_migration_lock) + ")");
    }
    try {
        // Asked first on PostgreSQL: a writer role without CREATE on the schema must get
        // through here when the schema is already there.
        if (!m_pg || !table_exists(*this, "schema_migration")) {
            exec(m_pg ? "CREATE TABLE schema_migration (version BIGINT PRIMARY KEY,"
                        " name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                      : "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY "
                        "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        }
        for (const Migration& m : migrations()) {
            Transaction tx(*this);
            Statement seen(*this, "SELECT 1 FROM schema_migration WHERE version = ?");
            seen.bind(1, m.version);
            if (seen.step()) {
                continue;
            }
            exec(m_pg ? dialect::schema_to_postgresql(m.sql) : std::string(m.sql));
            Statement mark(*this, "INSERT INTO schema_migration(version, name, applied_at)"
                                  " VALUES (?, ?, ?)");
            mark.bind(1, m.version).bind(2, m.name).bind(3, utc_now_iso());
            mark.run();
            tx.commit();
        }
    } catch (...) {
        if (m_pg) {
            try {
                exec("SELECT pg_advisory_unlock(" + std::to_string(pg::k_migration_lock) + ")");
            } catch (...) {
                // The connection is being abandoned; the server frees the lock with it.
            }
        }
        throw;
    }
    if (m_pg) {
        // Statements prepared before a migration may read tables it changed.
        m_pg->forget_prepared();
        exec("SELECT pg_advisory_unlock(" + std::to_string(pg::k_migration_lock) + ")");
    }
}

} // namespace smtpprobe::store
