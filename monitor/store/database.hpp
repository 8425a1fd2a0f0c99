// A thin RAII layer over the history's database: one connection, prepared statements with
// bound values only, transactions, and the numbered migrations of schema/ applied on open.
// Two backends behind one API: SQLite (a file path: the embedded default for one mail server)
// and PostgreSQL (a postgresql:// URL: one history shared by a fleet of nodes, issue 20;
// pg_connection.hpp). Statement text is written once, in SQLite's spelling; sql_dialect.hpp
// is the one place that turns it into PostgreSQL's.
//
// Contract: every value that reaches SQL goes through bind(); statement text is always a
// literal of ours. Errors throw StoreError with the database's location (a URL's password
// hidden) and the database's message: a store failure is fatal for the command, and the CLI
// maps it to exit code 3.
//
// The store boundary (monitor/store/README.md): only monitor/store/ prepares SQL or calls
// sqlite3_* / libpq; everything above it calls the typed functions of the *_rows / *_store
// files.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace smtpprobe::store {

namespace pg {
class Connection;
class PreparedStatement;
} // namespace pg

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Statement;

// One open database. PostgreSQL (a postgresql:// URL): the database must exist (its owner
// creates it, docs/postgresql.md); opening read-write applies the migrations under an advisory
// lock, so nodes that start at once migrate one after the other; read-only sessions are
// refused every write by the server. SQLite (any other location):
// Opening read-write creates the file and its folder if needed (a new file
// gets 64 KiB pages, see database.cpp), turns on WAL, foreign keys and a busy timeout (so
// `serve` and `run` can share the file), and applies every embedded migration not yet
// applied, each in its own transaction. Opening read-only never writes the file (a WAL file
// in a folder we cannot write is read as immutable) and needs the schema of this binary. A database
// whose schema is newer than this binary's newest migration is refused (StoreError: which version
// it has, which this binary supports) before anything is written, in either mode.
class Database {
public:
    enum class Mode { read_write, read_only };

    explicit Database(const std::string& path, Mode mode = Mode::read_write);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs SQL text of ours (no values): schema, pragmas, BEGIN/COMMIT.
    void exec(std::string_view sql);
    Statement prepare(std::string_view sql);
    std::int64_t last_insert_id() const;
    int changes() const;
    // The location: a file path, or the URL with its password hidden (for messages).
    const std::string& path() const { return m_path; }
    bool is_postgresql() const { return m_pg != nullptr; }
    // For bulk writers (log ingestion): a page cache of cache_kib KiB and a WAL folded back
    // into the database only once it has grown to about wal_bytes (fewer checkpoints).
    void tune_for_bulk_writes(std::int64_t cache_kib, std::int64_t wal_bytes);
    // For a long-lived reader that reads the same pages again and again (serve's connections):
    // SQLite maps the file (up to 1 GiB) instead of copying pages; no-op on PostgreSQL.
    void map_for_repeated_reads();

    // The highest applied migration number (0 for an empty database).
    int schema_version();

private:
    friend class Statement; // prepares on m_db
    friend class Transaction;
    friend bool table_exists(Database& db, std::string_view name);

    void open_sqlite(Mode mode);
    void open_postgresql(const std::string& url, Mode mode);

    // Throws StoreError when the file's schema is newer than the newest embedded migration.
    void refuse_newer_schema();
    void migrate();
    // Whether the open connection can read the schema (a read-only WAL file may not be).
    bool readable();
    // Read-only: the schema must be exactly this binary's (nothing can be migrated).
    void check_read_only_schema();

    std::string m_path;
    sqlite3* m_db = nullptr;
    std::unique_ptr<pg::Connection> m_pg; // set: PostgreSQL, m_db unused
    bool m_read_only = false;
};

// A prepared statement. bind() positions are 1-based like SQLite's; a std::nullopt or
// std::nullptr_t binds NULL. step() returns true while a row is available.
class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value)
    {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, std::nullptr_t);
    // A LIMIT's value; negative means no limit (SQLite reads LIMIT -1 so, PostgreSQL refuses it).
    Statement& bind_limit(int index, std::int64_t limit)
    {
        return bind(index, limit < 0 ? std::numeric_limits<std::int64_t>::max() : limit);
    }
    // The store's rule for optional text: empty text is stored as NULL. borrowed: as
    // bind_borrowed() (no copy; the bytes must outlive the next run()).
    Statement& bind_text_or_null(int index, std::string_view value, bool borrowed = false);
    // Binds text without copying it (bulk inserts): the bytes must stay valid and unchanged
    // until the next run() or reset(), which clear every binding.
    Statement& bind_borrowed(int index, std::string_view value);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value)
    {
        return value ? bind(index, *value) : bind(index, nullptr);
    }
    // Binds a parameter by name (":name").
    template <typename T>
    Statement& bind(const char* name, const T& value)
    {
        return bind(parameter_index(name), value);
    }

    bool step();
    // Runs a statement that returns no rows, then resets it for reuse.
    void run();
    void reset();

    bool is_null(int column) const;
    std::int64_t column_int(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    std::optional<std::string> column_optional_text(int column) const;
    std::optional<std::int64_t> column_optional_int(int column) const;

    // What a generic copy of a table needs (`smtpprobe db export/import`): how many columns a
    // row has, their names, and the kind of value in one column of the current row.
    enum class Kind { null, integer, real, text };
    int column_count() const;
    std::string column_name(int column) const;
    Kind column_kind(int column) const;

private:
    int parameter_index(const char* name) const;
    [[noreturn]] void fail(int rc, const char* what) const;

    Database* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    std::unique_ptr<pg::PreparedStatement> m_pg; // set: PostgreSQL, m_stmt unused
};

// Whether a history can be opened read-only at location without creating it: a file that
// exists (SQLite), or a PostgreSQL database that holds smtpprobe's schema (a server that
// cannot be reached throws StoreError).
bool history_exists(const std::string& location);
// The location as messages may show it (a URL's password hidden).
std::string display_location(const std::string& location);

// After a bulk write: the query planner's statistics brought up to date. PostgreSQL: ANALYZE
// (sampled; seconds at most), outside any transaction. SQLite: nothing (its plans do not
// depend on statistics the way a join planned for an empty table does).
void refresh_statistics(Database& db);

// Whether a table exists: tables of later migrations may be absent in an older database that
// `serve` reads as it is.
bool table_exists(Database& db, std::string_view name);

// How often other connections have committed to the database, as seen from one connection
// (SQLite's data_version; on PostgreSQL a digest of the current snapshot, which moves when any
// transaction starts writing or ends): the same value means nothing changed. The statement is
// prepared once, so reading it is cheap enough for every request.
class ChangeCounter {
public:
    explicit ChangeCounter(Database& db);
    std::int64_t read();

private:
    Statement m_statement;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() was called.
// IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy timeout)
// instead of failing half-way through. On PostgreSQL the same: BEGIN and the fleet's writer
// advisory lock, held to the end of the transaction, so every node's read-then-write (the
// episode fold, a probe claim, cursor updates) sees the others' committed work, one at a time.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& m_db;
    bool m_done = false;
};

} // namespace smtpprobe::store
