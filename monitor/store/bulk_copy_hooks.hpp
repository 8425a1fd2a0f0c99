// The two places where a generic copy of the history (table_copy.hpp) depends on the backend.
// Everything else of `smtpprobe db export/import/migrate` is written against Database,
// Statement and Transaction alone; these are the seams the PostgreSQL backend (issue 20)
// fills in.
#pragma once

#include <string>

namespace smtpprobe::store {

class Database;

// After the rows of one table were inserted with their explicit ids, inside the import's
// transaction: make the database's own id generation continue past the largest id.
// SQLite: nothing to do (an INTEGER PRIMARY KEY continues from max(rowid)).
// PostgreSQL: move the table's identity sequence past max(id) (setval), or the next insert by
// smtpprobe collides with an imported row.
void after_bulk_import(Database& db, const std::string& table);

// One consistent view of the whole history while an export reads table after table, so rows
// written meanwhile (by `run` or `serve`) are either all in the dump or not at all, and a
// foreign key never points at a row the dump lacks. Ends (read-only, nothing to commit) on
// destruction.
// SQLite: a deferred read transaction (BEGIN ... COMMIT): WAL keeps its snapshot.
// PostgreSQL: needs BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY (READ COMMITTED, the
// default, takes a new snapshot per statement).
class ExportSnapshot {
public:
    explicit ExportSnapshot(Database& db);
    ~ExportSnapshot();
    ExportSnapshot(const ExportSnapshot&) = delete;
    ExportSnapshot& operator=(const ExportSnapshot&) = delete;

private:
    Database& m_db;
};

} // namespace smtpprobe::store
