// The tables of the history and their primary keys, read from the one schema source of truth:
// the embedded migrations (schema/NNN_*.sql). A generic copy of the history (`smtpprobe db
// export/import/migrate`, table_copy.hpp) walks these tables in this order.
//
// Contract: tables come in the order their CREATE TABLE first appears in migration order,
// which is also an order that satisfies every foreign key (a table can only reference a table
// created before it); a table later DROPped is gone, a table renamed (ALTER TABLE .. RENAME
// TO) keeps its place under its new name. schema_migration (the migrations' own bookkeeping,
// database.cpp) is never listed. The key is the PRIMARY KEY's columns (a column constraint or
// a table constraint), renamed with the column (RENAME COLUMN); empty when a table has none.
#pragma once

#include "monitor/store/migrations.hpp"

#include <span>
#include <string>
#include <vector>

namespace smtpprobe::store {

struct HistoryTable {
    std::string name;
    std::vector<std::string> key; // primary key columns, in key order; empty: none
};

// The tables of these migrations (tests give their own; the history uses history_tables()).
// Throws std::logic_error on a statement this reader does not understand about a table it
// tracks (a build mistake: a test over the embedded schema catches it).
std::vector<HistoryTable> tables_of(std::span<const Migration> migrations);

// The tables of the embedded migrations, computed once.
const std::vector<HistoryTable>& history_tables();

// Whether name is a plain lower-case SQL identifier ([a-z_][a-z0-9_]*), the only kind of name
// the generic copy puts into statement text (always double-quoted).
bool is_plain_identifier(std::string_view name);

} // namespace smtpprobe::store
