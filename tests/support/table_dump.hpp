// table_dump: the rows of a few queries as text, for tests that compare two databases (a
// crashed-and-resumed ingest with a clean one, the fresh path with the checked one).
#pragma once

#include "monitor/store/database.hpp"

#include <span>
#include <string>
#include <utility>

namespace smtpprobe::test {

// One query and how many of its columns to print.
using DumpQuery = std::pair<const char*, int>;

// For each query in order: its rows, each column as text ("NULL" for null) followed by '|',
// one row per line, then a "--" line.
std::string dump_queries(store::Database& db, std::span<const DumpQuery> queries);

} // namespace smtpprobe::test
