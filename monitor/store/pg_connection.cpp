// libpq connection and prepared statements (see pg_connection.hpp).
#include "monitor/store/pg_connection.hpp"

#include "monitor/store/database.hpp"
#include "monitor/store/pg_text.hpp"
#include "monitor/store/sql_dialect.hpp"

#include <charconv>
#include <cmath>
#include <libpq-fe.h>
#include <stdexcept>

namespace smtpprobe::store::pg {

namespace {

// Result column types (pg_type.h's OIDs, stable since PostgreSQL 7).
constexpr Oid k_bool = 16;
constexpr Oid k_int8 = 20;
constexpr Oid k_int2 = 21;
constexpr Oid k_int4 = 23;
constexpr Oid k_oid = 26;
constexpr Oid k_float4 = 700;
constexpr Oid k_float8 = 701;
constexpr Oid k_numeric = 1700;
constexpr Oid k_text = 25;

// How long a connection attempt may take unless the URL says otherwise (connect_timeout).
constexpr const char* k_connect_timeout_seconds = "10";

std::string trimmed(const char* text)
{
    std::string s = text ? text : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
        s.pop_back();
    }
    return s;
}

// The server's notices (CREATE TABLE IF NOT EXISTS "already exists, skipping", ...) are not
// for the user's terminal.
void ignore_notice(void*, const char*) {}

std::string_view scheme_rest(std::string_view location)
{
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (location.substr(0, scheme.size()) == scheme) {
            return location.substr(scheme.size());
        }
    }
    return {};
}

// The user-information part ("user:password") of a URL, empty when there is none.
std::string_view user_info(std::string_view location)
{
    std::string_view rest = scheme_rest(location);
    const std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    const std::size_t at = authority.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : authority.substr(0, at);
}

} // namespace

bool is_url(std::string_view location)
{
    return !scheme_rest(location).empty() || location == "postgresql://" ||
           location == "postgres://";
}

bool has_password(std::string_view location)
{
    if (user_info(location).find(':') != std::string_view::npos) {
        return true;
    }
    // password= as a query parameter (libpq accepts any connection keyword there).
    const std::size_t query = location.find('?');
    if (query == std::string_view::npos) {
        return false;
    }
    std::string_view params = location.substr(query + 1);
    return params.substr(0, 9) == "password=" || params.find("&password=") != std::string::npos;
}

std::string redact(std::string_view location)
{
    std::string out(location);
    std::string_view info = user_info(location);
    const std::size_t colon = info.find(':');
    if (colon != std::string_view::npos) {
        const std::size_t start =
            static_cast<std::size_t>(info.data() - location.data()) + colon + 1;
        out.replace(start, info.size() - colon - 1, "***");
    }
    const std::size_t query = out.find('?');
    if (query != std::string::npos) {
        for (std::size_t at = out.find("password=", query); at != std::string::npos;
             at = out.find("password=", at + 1)) {
            if (out[at - 1] != '?' && out[at - 1] != '&') {
                continue;
            }
            const std::size_t value = at + 9;
            const std::size_t end = out.find('&', value);
            out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
        }
    }
    return out;
}

Connection::Connection(const std::string& url, bool read_only) : m_location(redact(url))
{
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {k_connect_timeout_seconds, "smtpprobe", url.c_str(), nullptr};
    m_conn = PQconnectdbParams(keywords, values, 1);
    if (m_conn == nullptr || PQstatus(m_conn) != CONNECTION_OK) {
        std::string why = m_conn ? trimmed(PQerrorMessage(m_conn)) : "out of memory";
        PQfinish(m_conn);
        m_conn = nullptr;
        throw StoreError(m_location + ": cannot open the history: " + why);
    }
    PQsetNoticeProcessor(m_conn, ignore_notice, nullptr);
    try {
        // UTF-8 on the wire whatever the client's locale; the database's own encoding must
        // hold any Unicode text (pg_text escapes the rest).
        exec("SET client_encoding = 'UTF8'");
        const char* encoding = PQparameterStatus(m_conn, "server_encoding");
        if (encoding == nullptr || std::string_view(encoding) != "UTF8") {
            throw StoreError(m_location + ": the database's encoding is not UTF8 (create it with "
                                          "ENCODING 'UTF8'): peer text could not be kept");
        }
        // A writer waiting for another node's transaction gives up after two minutes with a
        // message, rather than hanging a timer-started run forever.
        exec("SET lock_timeout = '120s'");
        // Our statements are short lookups the planner's cost model can overrate on a large
        // history (a join over a year of evidence); compiling them with LLVM then costs more
        // than running them (26 ms of a 30 ms page query of the fleet overview, bench/fleet).
        exec("SET jit = off");
        if (read_only) {
            exec("SET default_transaction_read_only = on");
        }
    } catch (...) {
        PQfinish(m_conn);
        m_conn = nullptr;
        throw;
    }
}

Connection::~Connection()
{
    PQfinish(m_conn);
}

void Connection::fail(const char* what, PGresult* result) const
{
    std::string why = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(m_conn));
    if (why.empty()) {
        why = trimmed(PQerrorMessage(m_conn));
    }
    PQclear(result);
    throw StoreError(m_location + ": " + what + ": " + why);
}

void Connection::exec(std::string_view sql)
{
    PGresult* result = PQexec(m_conn, std::string(sql).c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        fail("cannot run a statement", result);
    }
    PQclear(result);
}

std::int64_t Connection::last_insert_id()
{
    // The id the last INSERT took from an identity column's sequence in this session (the
    // store asks only right after an INSERT that inserted a row).
    PGresult* result = PQexec(m_conn, "SELECT lastval()");
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
        fail("cannot read the id of the new row", result);
    }
    std::int64_t id = 0;
    const char* text = PQgetvalue(result, 0, 0);
    std::from_chars(text, text + std::char_traits<char>::length(text), id);
    PQclear(result);
    return id;
}

bool Connection::has_table(const std::string& name)
{
    const char* values[] = {name.c_str()};
    PGresult* result = PQexecParams(m_conn, "SELECT to_regclass($1) IS NOT NULL", 1, nullptr,
                                    values, nullptr, nullptr, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
        fail("cannot read the schema", result);
    }
    const bool found = std::string_view(PQgetvalue(result, 0, 0)) == "t";
    PQclear(result);
    return found;
}

PreparedStatement::PreparedStatement(Connection& connection, std::string_view sqlite_sql)
    : m_connection(connection)
{
    const std::string key(sqlite_sql);
    if (auto kept = connection.m_prepared.find(key); kept != connection.m_prepared.end()) {
        m_name = kept->second.name;
        m_names = kept->second.names;
        m_explicit_id_table = kept->second.explicit_id_table;
        m_values.resize(static_cast<std::size_t>(kept->second.parameters));
        m_null.assign(static_cast<std::size_t>(kept->second.parameters), true);
        m_kept = true;
        return;
    }
    m_name = "s" + std::to_string(++connection.m_statements);
    dialect::PgStatementText text = dialect::to_postgresql(sqlite_sql);
    m_names = std::move(text.names);
    m_explicit_id_table = std::move(text.explicit_id_table);
    m_values.resize(static_cast<std::size_t>(text.parameters));
    m_null.assign(static_cast<std::size_t>(text.parameters), true);
    PGresult* result = prepare(text.sql, text.parameters);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        // The statement is ours (no values in it): naming it makes a schema mismatch or a
        // bug of ours findable.
        std::string why = trimmed(PQresultErrorMessage(result));
        PQclear(result);
        throw StoreError(connection.location() +
                         ": cannot read the history (damaged, or not made by this smtpprobe): " +
                         why + " (in: " + text.sql.substr(0, 300) + ")");
    }
    PQclear(result);
    if (connection.m_prepared.size() < Connection::k_max_prepared) {
        connection.m_prepared.emplace(
            key, Connection::Prepared{m_name, text.parameters, m_names, m_explicit_id_table});
        m_kept = true;
    }
}

void Connection::forget_prepared()
{
    if (!m_prepared.empty()) {
        m_prepared.clear();
        exec("DEALLOCATE ALL");
    }
}

PGresult* PreparedStatement::prepare(const std::string& sql, int parameters)
{
    // The server types each parameter from its context. One that appears first where no type
    // follows from it ("?1 IS NULL OR ip = ?1", the store's optional filter) it cannot type:
    // declare it text, the type of every such filter of ours, and, when the statement then
    // compares it with a number ("?1 IS NULL OR id = ?1"), bigint.
    std::vector<Oid> types(static_cast<std::size_t>(parameters), 0);
    int declared = -1;
    for (int attempt = 0;; ++attempt) {
        PGresult* result = PQprepare(m_connection.m_conn, m_name.c_str(), sql.c_str(), parameters,
                                     types.empty() ? nullptr : types.data());
        if (PQresultStatus(result) == PGRES_COMMAND_OK || attempt > 2 * parameters) {
            return result;
        }
        const std::string_view why = PQresultErrorMessage(result);
        constexpr std::string_view k_untyped = "could not determine data type of parameter $";
        const std::size_t at = why.find(k_untyped);
        int index = 0;
        if (at != std::string_view::npos) {
            const char* digits = why.data() + at + k_untyped.size();
            std::from_chars(digits, why.data() + why.size(), index);
        }
        if (index >= 1 && index <= parameters && types[static_cast<std::size_t>(index - 1)] == 0) {
            types[static_cast<std::size_t>(index - 1)] = k_text;
            declared = index - 1;
        } else if (declared >= 0 && types[static_cast<std::size_t>(declared)] == k_text &&
                   why.find("operator does not exist") != std::string_view::npos) {
            types[static_cast<std::size_t>(declared)] = k_int8;
        } else {
            return result;
        }
        PQclear(result);
    }
}

PreparedStatement::~PreparedStatement()
{
    PQclear(m_result);
    PQclear(m_description);
    if (!m_kept && m_connection.m_conn != nullptr &&
        PQtransactionStatus(m_connection.m_conn) != PQTRANS_INERROR) {
        PQclear(PQexec(m_connection.m_conn, ("DEALLOCATE " + m_name).c_str()));
    }
}

void PreparedStatement::bind_null(int index)
{
    if (index < 1 || index > static_cast<int>(m_values.size())) {
        throw StoreError(m_connection.location() + ": bind: column index out of range");
    }
    m_null[static_cast<std::size_t>(index - 1)] = true;
}

void PreparedStatement::bind_text(int index, std::string_view value)
{
    bind_null(index); // checks the index
    m_values[static_cast<std::size_t>(index - 1)] = encode_text(value);
    m_null[static_cast<std::size_t>(index - 1)] = false;
}

void PreparedStatement::bind_int(int index, std::int64_t value)
{
    bind_text(index, std::to_string(value));
}

void PreparedStatement::bind_double(int index, double value)
{
    if (std::isnan(value)) {
        bind_text(index, "NaN");
    } else if (std::isinf(value)) {
        bind_text(index, value > 0 ? "Infinity" : "-Infinity");
    } else {
        char buffer[64];
        auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
        bind_text(index, std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
    }
}

int PreparedStatement::parameter_index(std::string_view name) const
{
    for (std::size_t i = 0; i < m_names.size(); ++i) {
        if (m_names[i] == name) {
            return static_cast<int>(i) + 1;
        }
    }
    return 0;
}

void PreparedStatement::execute()
{
    PQclear(m_result);
    m_result = nullptr;
    std::vector<const char*> values(m_values.size());
    for (std::size_t i = 0; i < m_values.size(); ++i) {
        values[i] = m_null[i] ? nullptr : m_values[i].c_str();
    }
    PGresult* result =
        PQexecPrepared(m_connection.m_conn, m_name.c_str(), static_cast<int>(values.size()),
                       values.data(), nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        m_connection.fail("step", result);
    }
    const std::string_view command = PQcmdStatus(result);
    if (command.substr(0, 6) == "INSERT" || command.substr(0, 6) == "UPDATE" ||
        command.substr(0, 6) == "DELETE") {
        const char* tuples = PQcmdTuples(result);
        int changed = 0;
        std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), changed);
        m_connection.m_changes = changed;
        if (!m_explicit_id_table.empty() && changed > 0) {
            // Ids the statement chose itself do not move the identity's sequence: move it past
            // them, so the next INSERT that lets the database choose cannot collide.
            m_connection.exec("SELECT setval(pg_get_serial_sequence('" + m_explicit_id_table +
                              "', 'id'), (SELECT max(id) FROM " + m_explicit_id_table + "))");
        }
    }
    m_result = result;
    m_rows = status == PGRES_TUPLES_OK ? PQntuples(result) : 0;
}

bool PreparedStatement::step()
{
    if (m_row < 0 || m_row >= m_rows) {
        // First step, or a step after the last row (SQLite runs the statement again).
        execute();
        m_row = 0;
    } else {
        ++m_row;
    }
    return m_row < m_rows;
}

void PreparedStatement::reset()
{
    PQclear(m_result);
    m_result = nullptr;
    m_row = -1;
    m_rows = 0;
    m_null.assign(m_null.size(), true);
}

std::string_view PreparedStatement::raw(int column) const
{
    if (m_result == nullptr || m_row < 0 || m_row >= m_rows || column < 0 ||
        column >= PQnfields(m_result) || PQgetisnull(m_result, m_row, column)) {
        return {};
    }
    return {PQgetvalue(m_result, m_row, column),
            static_cast<std::size_t>(PQgetlength(m_result, m_row, column))};
}

bool PreparedStatement::is_null(int column) const
{
    return m_result == nullptr || m_row < 0 || m_row >= m_rows || column < 0 ||
           column >= PQnfields(m_result) || PQgetisnull(m_result, m_row, column) != 0;
}

std::int64_t PreparedStatement::column_int(int column) const
{
    std::string_view text = raw(column);
    if (text == "t") {
        return 1;
    }
    if (text == "f") {
        return 0;
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) {
        return value;
    }
    // numeric (sum, avg) or a double: as SQLite converts, towards zero.
    const double d = column_double(column);
    return std::isfinite(d) ? static_cast<std::int64_t>(d) : 0;
}

double PreparedStatement::column_double(int column) const
{
    std::string_view text = raw(column);
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

std::string PreparedStatement::column_text(int column) const
{
    return decode_text(raw(column));
}

int PreparedStatement::column_count() const
{
    if (m_result != nullptr) {
        return PQnfields(m_result);
    }
    if (m_description == nullptr) {
        auto* self = const_cast<PreparedStatement*>(this);
        self->m_description = PQdescribePrepared(m_connection.m_conn, m_name.c_str());
        if (PQresultStatus(self->m_description) != PGRES_COMMAND_OK) {
            PGresult* failed = self->m_description;
            self->m_description = nullptr;
            m_connection.fail("describe", failed);
        }
    }
    return PQnfields(m_description);
}

std::string PreparedStatement::column_name(int column) const
{
    const int count = column_count();
    if (column < 0 || column >= count) {
        return "";
    }
    return PQfname(m_result != nullptr ? m_result : m_description, column);
}

int PreparedStatement::column_kind(int column) const
{
    if (is_null(column)) {
        return 0;
    }
    switch (PQftype(m_result, column)) {
    case k_bool:
    case k_int2:
    case k_int4:
    case k_int8:
    case k_oid:
        return 1;
    case k_float4:
    case k_float8:
        return 2;
    case k_numeric:
        return raw(column).find_first_of(".eE") == std::string_view::npos ? 1 : 2;
    default:
        return 3;
    }
}

} // namespace smtpprobe::store::pg
