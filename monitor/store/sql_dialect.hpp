// The one place where the store's SQL (written once, in SQLite's spelling) becomes
// PostgreSQL's: statement text and the schema of the numbered migrations.
//
// The store writes portable SQL; what cannot be spelled the same way in both is translated
// here, by rules a reader can check against both manuals:
//   - parameters: SQLite's `?`, `?N` and `:name` become `$N` (SQLite's numbering: `?` takes
//     the largest index so far + 1, `:name` one index for all its uses);
//   - `INSERT OR IGNORE INTO t ...` becomes `INSERT INTO t ... ON CONFLICT DO NOTHING`;
//   - two-argument `max(a, b)` / `min(a, b)` (SQLite's scalar forms) become GREATEST / LEAST;
//     `instr(a, b)` becomes `strpos(a, b)`;
//   - types: INTEGER -> BIGINT (SQLite integers are 64-bit), REAL -> DOUBLE PRECISION;
//   - schema only: `INTEGER PRIMARY KEY` (SQLite's rowid alias) becomes a BIGINT identity
//     column, TEXT columns get the "C" collation (byte order, as SQLite compares text), and
//     SQLite's `WITHOUT ROWID` is dropped;
//   - the columns named `offset` and `fetch` (reserved words in PostgreSQL) are quoted.
// Text inside string literals, quoted identifiers and comments is never changed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::store::dialect {

struct PgStatementText {
    std::string sql;                // with $1..$n
    int parameters = 0;             // n
    std::vector<std::string> names; // names[i]: ":name" of $i+1, "" for ? / ?N
    std::string explicit_id_table;  // an INSERT naming the identity column "id" of table
};

// A statement of ours in PostgreSQL's spelling. Throws std::logic_error for text the rules do
// not cover (a bug of ours, found by the tests that run every statement on PostgreSQL).
PgStatementText to_postgresql(std::string_view sqlite_sql);

// A migration's schema text (several statements) in PostgreSQL's spelling (no parameters).
std::string schema_to_postgresql(std::string_view sqlite_schema);

} // namespace smtpprobe::store::dialect
