// Rows of one table collected in memory and written with multi-row INSERT statements: every
// k_rows_per_statement rows become one "INSERT INTO t (...) VALUES (...), (...), ..." run, so
// SQLite's per-statement cost (reset, bindings, halt, a seek from each b-tree's root) is paid
// once per statement instead of once per row. Bulk writers (log ingestion) use it.
//
// Contract: values are copied into the batch when added, so the caller's text may change
// right after. Rows are written in the order added, full statements as soon as they fill,
// the rest by write(); the caller owns the transaction around them and calls write() before
// it commits (or reads the table). Statements are prepared once per row count and reused.
// Every value is bound, never part of the SQL text. A failing INSERT throws StoreError.
//
// Write "INSERT OR IGNORE" heads: a multi-row statement that may abort half-way needs a
// statement journal (every page it touches copied first, spilled to a temporary file), which
// costs more than the batching saves; with OR IGNORE nothing can abort. When every row must
// land (check_all_inserted), a row the statement ignored throws StoreError instead: the
// caller's transaction then rolls back, nothing is dropped silently.
#pragma once

#include "monitor/store/database.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::store {

class RowBatch {
public:
    static constexpr int k_rows_per_statement = 32;

    // insert_head: "INSERT OR IGNORE INTO table (a, b, c)" (a literal of ours); columns: how
    // many; check_all_inserted: throw when the database ignored a row.
    RowBatch(Database& db, std::string insert_head, int columns, bool check_all_inserted);
    ~RowBatch();
    RowBatch(const RowBatch&) = delete;
    RowBatch& operator=(const RowBatch&) = delete;

    // One value of the current row, left to right; after the row's last column the row is
    // complete (and a full statement's worth is written). Empty text is text, not NULL.
    void add_text(std::string_view value);
    void add_int(std::int64_t value);
    void add_real(double value);
    void add_null();
    // Empty text as NULL (the store's rule for optional text), other text as add_text().
    void add_text_or_null(std::string_view value);

    // Rows added and not written yet.
    std::size_t pending() const { return m_values.size() / static_cast<std::size_t>(m_columns); }
    // Writes every complete pending row. An unfinished row is a caller bug (throws).
    void write();
    // Forgets pending rows unwritten (the transaction they were meant for rolled back).
    void discard();

private:
    enum class Type : unsigned char { null, integer, real, text };
    struct Value {
        Type type = Type::null;
        std::int64_t integer = 0; // text: offset into m_text
        double real = 0;
        std::size_t size = 0; // text
    };
    void row_value_added();
    Statement& statement(int rows);
    void write_rows(int rows);

    Database& m_db;
    std::string m_head;
    int m_columns;
    bool m_check_all_inserted;
    std::vector<Value> m_values;
    std::string m_text; // text values, back to back
    std::array<std::unique_ptr<Statement>, k_rows_per_statement> m_statements;
};

} // namespace smtpprobe::store
