// The history's connection, statements, transactions and migrations (see database.hpp):
// SQLite here, PostgreSQL through pg_connection; the schema and migrations in
// database_schema.cpp.
#include "monitor/store/database.hpp"

#include "monitor/store/pg_connection.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sqlite3.h>

namespace smtpprobe::store {

namespace {

constexpr int k_busy_timeout_ms = 10'000;

// The page size of a new database (an existing one keeps its own): bulk log ingestion writes
// hundreds of MB, and with SQLite's 4 KiB default every page is two WAL writes and one
// checkpoint write, and every b-tree a level deeper. 64 KiB pages cut the system time of a
// large ingest by half and its total CPU by about a tenth; single-row reads and small
// transactions (probe runs, alerts) stay far below a millisecond.
constexpr const char* k_new_database_page_size = "PRAGMA page_size=65536";

// path as the path part of a file: URI (RFC 3986: '%', '?' and '#' escaped).
std::string uri_path(const std::string& path)
{
    std::string out;
    for (char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            char buffer[4];
            std::snprintf(buffer, sizeof buffer, "%%%02X", static_cast<unsigned char>(c));
            out += buffer;
        } else {
            out += c;
        }
    }
    return out;
}

std::string message(sqlite3* db, const std::string& path, const char* what)
{
    return path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
}

} // namespace

Database::Database(const std::string& path, Mode mode)
    : m_path(pg::is_url(path) ? pg::redact(path) : path), m_read_only(mode == Mode::read_only)
{
    if (pg::is_url(path)) {
        open_postgresql(path, mode);
    } else {
        open_sqlite(mode);
    }
}

void Database::open_postgresql(const std::string& url, Mode mode)
{
    m_pg = std::make_unique<pg::Connection>(url, mode == Mode::read_only);
    refuse_newer_schema();
    if (mode == Mode::read_write) {
        migrate();
    } else {
        check_read_only_schema();
    }
}

void Database::open_sqlite(Mode mode)
{
    const std::string& path = m_path;
    int flags = SQLITE_OPEN_NOMUTEX;
    if (mode == Mode::read_write) {
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        std::filesystem::path parent = std::filesystem::path(path).parent_path();
        std::error_code ec;
        if (!parent.empty() && path != ":memory:") {
            std::filesystem::create_directories(parent, ec);
            if (ec) {
                throw StoreError(path + ": cannot create folder " + parent.string() + ": " +
                                 ec.message());
            }
        }
    } else {
        flags |= SQLITE_OPEN_READONLY;
    }
    int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc == SQLITE_OK && mode == Mode::read_only && !readable()) {
        // A WAL database we may read but not write, in a folder we may not write either: no
        // shared-memory file can be made, so SQLite cannot read it in place. Nobody can be
        // writing it through us; read it as an immutable file (no locks, no -shm).
        sqlite3_close(m_db);
        m_db = nullptr;
        const std::string uri = "file:" + uri_path(path) + "?immutable=1";
        rc = sqlite3_open_v2(uri.c_str(), &m_db, flags | SQLITE_OPEN_URI, nullptr);
        if (rc == SQLITE_OK && !readable()) {
            rc = SQLITE_CANTOPEN;
        }
    }
    if (rc != SQLITE_OK) {
        // SQLite's "unable to open database file" says neither why nor where: add the OS's
        // reason (permission denied, no such file or directory, ...).
        const int os_error = m_db ? sqlite3_system_errno(m_db) : 0;
        std::string text = message(m_db, path, "cannot open the history") +
                           (os_error != 0 ? std::string(": ") + std::strerror(os_error) : "");
        sqlite3_close(m_db);
        m_db = nullptr;
        throw StoreError(text);
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, k_busy_timeout_ms);
    try {
        // Before anything that could write (WAL mode, migrations): a database from a newer
        // smtpprobe has tables and meanings this binary does not know; it stays untouched.
        refuse_newer_schema();
        if (mode == Mode::read_write) {
            // Before WAL mode writes the first page; a no-op for an existing database.
            exec(k_new_database_page_size);
            exec("PRAGMA journal_mode=WAL");
            exec("PRAGMA synchronous=NORMAL");
        }
        exec("PRAGMA foreign_keys=ON");
        if (mode == Mode::read_write) {
            migrate();
        } else {
            check_read_only_schema();
        }
    } catch (...) {
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

Database::~Database()
{
    if (m_db) {
        sqlite3_close_v2(m_db);
    }
}

void Database::exec(std::string_view sql)
{
    if (m_pg) {
        m_pg->exec(sql);
        return;
    }
    std::string text(sql);
    char* error = nullptr;
    int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string why = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw StoreError(m_path + ": " + why);
    }
}

Statement Database::prepare(std::string_view sql)
{
    return Statement(*this, sql);
}

std::int64_t Database::last_insert_id() const
{
    if (m_pg) {
        return m_pg->last_insert_id();
    }
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    if (m_pg) {
        return m_pg->changes();
    }
    return sqlite3_changes(m_db);
}

void Database::tune_for_bulk_writes(std::int64_t cache_kib, std::int64_t wal_bytes)
{
    if (m_pg) {
        return; // the server's own settings (shared_buffers, max_wal_size) govern
    }
    exec("PRAGMA cache_size = -" + std::to_string(cache_kib));
    // The WAL limit is in pages, whatever the page size (4 KiB in older files).
    Statement page_size(*this, "PRAGMA page_size");
    std::int64_t page = page_size.step() ? page_size.column_int(0) : 4096;
    sqlite3_wal_autocheckpoint(m_db,
                               static_cast<int>(wal_bytes / std::max<std::int64_t>(page, 512)));
}

void Database::map_for_repeated_reads()
{
    if (m_pg) {
        return; // the server's shared_buffers hold what is read again
    }
    // Mapped, the same indexes read request after request come from the OS's page cache in
    // place instead of being copied 64 KiB page by page into a 2 MB cache (a fleet overview
    // spent 40% of its time in those copies, bench/fleet). The mapped pages stay the OS's to
    // evict, but count in the process's resident size as they are touched.
    exec("PRAGMA mmap_size=1073741824");
}

bool Database::readable()
{
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(m_db, "SELECT count(*) FROM sqlite_master", -1, &st, nullptr);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
}

Statement::Statement(Database& db, std::string_view sql) : m_db(&db)
{
    if (db.m_pg) {
        m_pg = std::make_unique<pg::PreparedStatement>(*db.m_pg, sql);
        return;
    }
    int rc = sqlite3_prepare_v3(db.m_db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK) {
        // No SQL text in the message: a user reads it (a damaged or foreign history).
        throw StoreError(db.path() +
                         ": cannot read the history (damaged, or not made by this "
                         "smtpprobe): " +
                         sqlite3_errmsg(db.m_db));
    }
}

Statement::~Statement()
{
    if (m_stmt != nullptr) {
        sqlite3_finalize(m_stmt);
    }
}

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db), m_stmt(other.m_stmt), m_pg(std::move(other.m_pg))
{
    other.m_stmt = nullptr;
}

void Statement::fail(int rc, const char* what) const
{
    (void)rc;
    throw StoreError(message(m_db->m_db, m_db->path(), what));
}

Statement& Statement::bind(int index, std::int64_t value)
{
    if (m_pg) {
        m_pg->bind_int(index, value);
        return *this;
    }
    if (int rc = sqlite3_bind_int64(m_stmt, index, value); rc != SQLITE_OK) {
        fail(rc, "bind");
    }
    return *this;
}

Statement& Statement::bind(int index, double value)
{
    if (m_pg) {
        m_pg->bind_double(index, value);
        return *this;
    }
    if (int rc = sqlite3_bind_double(m_stmt, index, value); rc != SQLITE_OK) {
        fail(rc, "bind");
    }
    return *this;
}

Statement& Statement::bind(int index, std::string_view value)
{
    if (m_pg) {
        m_pg->bind_text(index, value);
        return *this;
    }
    int rc = sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
    if (rc != SQLITE_OK) {
        fail(rc, "bind");
    }
    return *this;
}

Statement& Statement::bind_borrowed(int index, std::string_view value)
{
    if (m_pg) {
        m_pg->bind_text(index, value);
        return *this;
    }
    int rc =
        sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK) {
        fail(rc, "bind");
    }
    return *this;
}

ChangeCounter::ChangeCounter(Database& db)
    : m_statement(db, db.is_postgresql()
                          ? "SELECT ('x' || substr(md5(pg_current_snapshot()::text), 1, 16))"
                            "::bit(64)::bigint"
                          : "PRAGMA data_version")
{
}

std::int64_t ChangeCounter::read()
{
    m_statement.step();
    std::int64_t version = m_statement.column_int(0);
    m_statement.reset();
    return version;
}

Statement& Statement::bind_text_or_null(int index, std::string_view value, bool borrowed)
{
    if (value.empty()) {
        return bind(index, nullptr);
    }
    return borrowed ? bind_borrowed(index, value) : bind(index, value);
}

Statement& Statement::bind(int index, std::nullptr_t)
{
    if (m_pg) {
        m_pg->bind_null(index);
        return *this;
    }
    if (int rc = sqlite3_bind_null(m_stmt, index); rc != SQLITE_OK) {
        fail(rc, "bind");
    }
    return *this;
}

int Statement::parameter_index(const char* name) const
{
    int index = m_pg ? m_pg->parameter_index(name) : sqlite3_bind_parameter_index(m_stmt, name);
    if (index == 0) {
        throw StoreError(m_db->path() + ": no SQL parameter " + name);
    }
    return index;
}

bool Statement::step()
{
    if (m_pg) {
        return m_pg->step();
    }
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    fail(rc, "step");
}

void Statement::run()
{
    while (step()) {
    }
    reset();
}

void Statement::reset()
{
    if (m_pg) {
        m_pg->reset();
        return;
    }
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::is_null(int column) const
{
    if (m_pg) {
        return m_pg->is_null(column);
    }
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int column) const
{
    if (m_pg) {
        return m_pg->column_int(column);
    }
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::column_double(int column) const
{
    if (m_pg) {
        return m_pg->column_double(column);
    }
    return sqlite3_column_double(m_stmt, column);
}

std::string Statement::column_text(int column) const
{
    if (m_pg) {
        return m_pg->column_text(column);
    }
    const unsigned char* text = sqlite3_column_text(m_stmt, column);
    int size = sqlite3_column_bytes(m_stmt, column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
                : std::string();
}

std::optional<std::string> Statement::column_optional_text(int column) const
{
    if (is_null(column)) {
        return std::nullopt;
    }
    return column_text(column);
}

std::optional<std::int64_t> Statement::column_optional_int(int column) const
{
    if (is_null(column)) {
        return std::nullopt;
    }
    return column_int(column);
}

int Statement::column_count() const
{
    if (m_pg) {
        return m_pg->column_count();
    }
    return sqlite3_column_count(m_stmt);
}

std::string Statement::column_name(int column) const
{
    if (m_pg) {
        return m_pg->column_name(column);
    }
    const char* name = sqlite3_column_name(m_stmt, column);
    return name ? name : "";
}

Statement::Kind Statement::column_kind(int column) const
{
    if (m_pg) {
        return static_cast<Kind>(m_pg->column_kind(column));
    }
    switch (sqlite3_column_type(m_stmt, column)) {
    case SQLITE_NULL:
        return Kind::null;
    case SQLITE_INTEGER:
        return Kind::integer;
    case SQLITE_FLOAT:
        return Kind::real;
    default:
        return Kind::text; // no BLOB column in the schema: read as its bytes
    }
}

Transaction::Transaction(Database& db) : m_db(db)
{
    if (!m_db.m_pg) {
        m_db.exec("BEGIN IMMEDIATE");
        return;
    }
    m_db.exec("BEGIN");
    if (!m_db.m_read_only) {
        try {
            m_db.exec("SELECT pg_advisory_xact_lock(" + std::to_string(pg::k_writer_lock) + ")");
        } catch (...) {
            m_db.exec("ROLLBACK");
            throw;
        }
    }
}

Transaction::~Transaction()
{
    if (!m_done) {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) {
            // Nothing to do: the connection is being abandoned with its error.
        }
    }
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace smtpprobe::store
