// The PostgreSQL side of the store (issue 20: one history shared by a fleet of nodes), over
// libpq: one connection, statements prepared on the server with every value sent as a bound
// parameter, results read row by row. database.cpp dispatches to it when the history's
// location is a postgresql:// URL; nothing outside monitor/store sees libpq.
//
// Contract: statement text is ours and written in SQLite's spelling; sql_dialect translates
// it once, at prepare. Values travel as text with no declared type, so the server types each
// parameter from its place in the statement (a column, an operator's other side), as SQLite
// applies a column's affinity. Text goes through pg_text (byte-exact). Errors throw
// StoreError with the redacted location and the server's message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace smtpprobe::store::pg {

// Whether a history location names PostgreSQL (postgresql:// or postgres://).
bool is_url(std::string_view location);
// The location with any password replaced by "***", for messages and logs.
std::string redact(std::string_view location);
// Whether the URL carries a password (user:password@): refused on a command line, where every
// user of the machine can read it (ps); the PG* environment, a .pgpass file or the config file
// are the places for it.
bool has_password(std::string_view location);

// Keys of the advisory locks every node takes (pg_advisory_*): one for the writers (the
// store's Transaction: one writer at a time, as SQLite's BEGIN IMMEDIATE), one for migrations.
inline constexpr std::int64_t k_writer_lock = 0x736d747070726f01; // "smtppro" + 1
inline constexpr std::int64_t k_migration_lock = 0x736d747070726f02;

class Connection {
public:
    // read_only: every transaction of the session is read-only (the server refuses writes).
    Connection(const std::string& url, bool read_only);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs text of ours without values; a migration may hold several statements.
    void exec(std::string_view sql);
    // The rows the last statement run through a PreparedStatement changed.
    int changes() const { return m_changes; }
    std::int64_t last_insert_id();
    // Whether a table of this name is on the session's search path.
    bool has_table(const std::string& name);
    const std::string& location() const { return m_location; }
    [[noreturn]] void fail(const char* what, pg_result* result) const;

    // Drops the statements kept prepared (after a migration changed the schema under them).
    void forget_prepared();

private:
    friend class PreparedStatement;
    // A statement prepared on the server and kept for the session, by our (SQLite) text: the
    // next Statement of the same text runs it at once (one round trip, where preparing and
    // deallocating every time took three; PQexecPrepared reads the whole result, so two live
    // Statements of one text can share it).
    struct Prepared {
        std::string name;
        int parameters = 0;
        std::vector<std::string> names;
        std::string explicit_id_table;
    };
    static constexpr std::size_t k_max_prepared = 512; // texts built per call (IN lists) stay out

    pg_conn* m_conn = nullptr;
    std::string m_location; // redacted
    int m_changes = 0;
    std::uint64_t m_statements = 0; // for unique statement names
    std::unordered_map<std::string, Prepared> m_prepared;
};

class PreparedStatement {
public:
    PreparedStatement(Connection& connection, std::string_view sqlite_sql);
    ~PreparedStatement();
    PreparedStatement(const PreparedStatement&) = delete;
    PreparedStatement& operator=(const PreparedStatement&) = delete;

    void bind_null(int index);
    void bind_int(int index, std::int64_t value);
    void bind_double(int index, double value);
    void bind_text(int index, std::string_view value);
    int parameter_index(std::string_view name) const; // 0 when unknown

    bool step();
    void reset();

    bool is_null(int column) const;
    std::int64_t column_int(int column) const;
    double column_double(int column) const;
    std::string column_text(int column) const;
    int column_count() const;
    std::string column_name(int column) const;
    // 0 null, 1 integer, 2 real, 3 text (Statement::Kind's order).
    int column_kind(int column) const;

private:
    void execute();
    pg_result* prepare(const std::string& sql, int parameters);
    std::string_view raw(int column) const;

    Connection& m_connection;
    std::string m_name;
    bool m_kept = false;              // the connection keeps it prepared (no DEALLOCATE here)
    std::vector<std::string> m_names; // :name of each parameter
    std::string m_explicit_id_table;
    std::vector<std::string> m_values;
    std::vector<bool> m_null;
    pg_result* m_result = nullptr;
    pg_result* m_description = nullptr; // column names and types before the first step
    int m_row = -1;
    int m_rows = 0;
};

} // namespace smtpprobe::store::pg
