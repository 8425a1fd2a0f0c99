// Multi-row INSERT batches (see row_batch.hpp).
#include "monitor/store/row_batch.hpp"

namespace smtpprobe::store {

RowBatch::RowBatch(Database& db, std::string insert_head, int columns, bool check_all_inserted)
    : m_db(db), m_head(std::move(insert_head)), m_columns(columns),
      m_check_all_inserted(check_all_inserted)
{
    m_values.reserve(static_cast<std::size_t>(k_rows_per_statement * columns));
}

RowBatch::~RowBatch() = default;

void RowBatch::add_text(std::string_view value)
{
    Value v;
    v.type = Type::text;
    v.integer = static_cast<std::int64_t>(m_text.size());
    v.size = value.size();
    m_text.append(value);
    m_values.push_back(v);
    row_value_added();
}

void RowBatch::add_int(std::int64_t value)
{
    Value v;
    v.type = Type::integer;
    v.integer = value;
    m_values.push_back(v);
    row_value_added();
}

void RowBatch::add_real(double value)
{
    Value v;
    v.type = Type::real;
    v.real = value;
    m_values.push_back(v);
    row_value_added();
}

void RowBatch::add_text_or_null(std::string_view value)
{
    if (value.empty()) {
        add_null();
    } else {
        add_text(value);
    }
}

void RowBatch::add_null()
{
    m_values.push_back(Value{});
    row_value_added();
}

void RowBatch::row_value_added()
{
    if (m_values.size() == static_cast<std::size_t>(k_rows_per_statement * m_columns)) {
        write_rows(k_rows_per_statement);
    }
}

void RowBatch::write()
{
    if (m_values.size() % static_cast<std::size_t>(m_columns) != 0) {
        throw StoreError(m_db.path() + ": internal error: unfinished row in a batch for \"" +
                         m_head + "\"");
    }
    if (!m_values.empty()) {
        write_rows(static_cast<int>(pending()));
    }
}

void RowBatch::discard()
{
    m_values.clear();
    m_text.clear();
}

Statement& RowBatch::statement(int rows)
{
    std::unique_ptr<Statement>& slot = m_statements[static_cast<std::size_t>(rows - 1)];
    if (!slot) {
        // Anonymous "?" parameters: numbered 1..rows*columns left to right.
        std::string one_row = "(?";
        for (int column = 1; column < m_columns; ++column) {
            one_row += ", ?";
        }
        one_row += ')';
        std::string sql = m_head + " VALUES " + one_row;
        for (int row = 1; row < rows; ++row) {
            sql += ", ";
            sql += one_row;
        }
        slot = std::make_unique<Statement>(m_db, sql);
    }
    return *slot;
}

void RowBatch::write_rows(int rows)
{
    Statement& s = statement(rows);
    int index = 1;
    for (const Value& v : m_values) {
        switch (v.type) {
        case Type::null:
            s.bind(index, nullptr);
            break;
        case Type::integer:
            s.bind(index, v.integer);
            break;
        case Type::real:
            s.bind(index, v.real);
            break;
        case Type::text:
            // m_text does not change until the statement has run.
            s.bind_borrowed(index, std::string_view(m_text).substr(
                                       static_cast<std::size_t>(v.integer), v.size));
            break;
        }
        ++index;
    }
    // Emptied whatever happens: a failing statement is not written again by a later write().
    struct Clear {
        RowBatch& batch;
        ~Clear() { batch.discard(); }
    } clear{*this};
    try {
        s.run();
    } catch (...) {
        s.reset(); // reusable by the caller's next batch
        throw;
    }
    if (m_check_all_inserted && m_db.changes() != rows) {
        throw StoreError(m_db.path() + ": " + std::to_string(rows - m_db.changes()) + " of " +
                         std::to_string(rows) + " rows already there for \"" + m_head + "\"");
    }
}

} // namespace smtpprobe::store
