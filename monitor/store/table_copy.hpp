// A generic copy of the whole history, table by table, through the dump format of
// dump_format.hpp: `smtpprobe db export` writes a HistoryDump's lines, `db import` feeds lines
// to import_history(), `db migrate FROM TO` feeds one straight into the other (no file).
// Written against Database / Statement / Transaction only, so it copies SQLite to PostgreSQL
// and back; the backend-dependent seams are in bulk_copy_hooks.hpp.
//
// The tables are those of the embedded migrations (schema_tables.hpp), in migration order;
// schema_migration is not copied (the target has its own, and the dump's header carries the
// schema version). Rows come in primary-key order, so the same history gives the same dump.
#pragma once

#include "monitor/store/bulk_copy_hooks.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace smtpprobe::store {

// The dump cannot be imported as asked, for a reason the user can fix (another target, the
// dump of another smtpprobe version): the schema versions differ, a target table is not empty,
// a table's columns differ. Nothing was written.
class ImportRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The dump is damaged: truncated, not a dump, or a line the format does not allow. what()
// says where (source:line) and why. Nothing was written.
class DumpDamaged : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CopyCounts {
    int schema_version = 0;
    std::int64_t tables = 0;
    std::int64_t rows = 0;
};

// Reads the history as dump lines, one at a time: memory stays bounded by one row whatever
// the size of the history. Holds an ExportSnapshot for its lifetime, so the dump is one
// consistent state. Throws StoreError when the database cannot be read.
class HistoryDump {
public:
    explicit HistoryDump(Database& db);

    // The next line with its '\n'; false once the end line was given.
    bool next_line(std::string& line);
    // What was read so far (all of it once next_line returned false).
    const CopyCounts& counts() const { return m_counts; }

private:
    // Starts table m_table: runs its query, gives its table line.
    void start_table(std::string& line);

    Database& m_db;
    ExportSnapshot m_snapshot;
    CopyCounts m_counts;
    enum class Stage { header, table, rows, end, done };
    Stage m_stage = Stage::header;
    std::size_t m_table = 0;
    std::optional<Statement> m_query;
    bool m_have_row = false;
    int m_columns = 0;
    std::int64_t m_table_rows = 0;
};

// Gives the next line of a dump into line, with its '\n' when it has one (only a truncated
// last line lacks it); false at the end of the input. Throws for an input that cannot be read.
using DumpLineSource = std::function<bool(std::string& line)>;

// Imports a dump into db, all in one Transaction: on any error nothing is written. db must
// have the dump's schema version and every table of the history empty (else ImportRefused,
// before a row is read). Explicit ids are kept; after_bulk_import() runs for every table.
// source names the input in messages ("dump.txt", "stdin"). Throws ImportRefused,
// DumpDamaged, or StoreError (the database failed, a constraint was violated).
CopyCounts import_history(Database& db, const DumpLineSource& next_line, const std::string& source);

} // namespace smtpprobe::store
