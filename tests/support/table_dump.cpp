// table_dump (see table_dump.hpp).
#include "tests/support/table_dump.hpp"

namespace smtpprobe::test {

std::string dump_queries(store::Database& db, std::span<const DumpQuery> queries)
{
    std::string out;
    for (const auto& [sql, columns] : queries) {
        store::Statement query(db, sql);
        while (query.step()) {
            for (int column = 0; column < columns; ++column) {
                out += query.column_optional_text(column).value_or("NULL");
                out += '|';
            }
            out += '\n';
        }
        out += "--\n";
    }
    return out;
}

} // namespace smtpprobe::test
