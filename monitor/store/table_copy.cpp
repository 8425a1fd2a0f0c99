// Export and import of the whole history in the dump format (see table_copy.hpp).
//
// Statement text here is built from names, never from values: the tables of our own
// migrations and the columns the database reports for them, each checked to be a plain
// identifier and double-quoted (so a name that is a keyword in one SQL dialect, like
// ingest_cursor's "offset", works in both). Every value is bound.
#include "monitor/store/table_copy.hpp"

#include "monitor/store/dump_format.hpp"
#include "monitor/store/schema_tables.hpp"
#include "probe/printable.hpp"

#include <algorithm>
#include <map>

namespace smtpprobe::store {

namespace {

std::string quoted(const std::string& name)
{
    if (!is_plain_identifier(name)) {
        throw StoreError("history copy: unexpected table or column name '" + printable(name, 80) +
                         "'");
    }
    return "\"" + name + "\"";
}

std::string join_quoted(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& name : names) {
        out += (out.empty() ? "" : ", ") + quoted(name);
    }
    return out;
}

// The columns of a table as the database reports them, and whether it has a row. Asked
// after step(), so a backend that learns its result's shape only by running the query
// (PostgreSQL) answers too.
struct TableShape {
    std::vector<std::string> columns;
    bool has_row = false;
};

TableShape table_shape(Database& db, const std::string& table)
{
    Statement st(db, "SELECT * FROM " + quoted(table) + " LIMIT 1");
    TableShape shape;
    shape.has_row = st.step();
    for (int i = 0; i < st.column_count(); ++i) {
        shape.columns.push_back(st.column_name(i));
    }
    return shape;
}

std::string header_line(int schema_version)
{
    return std::string(k_dump_magic) + "\t" + std::to_string(k_dump_format_version) + "\tschema\t" +
           std::to_string(schema_version) + "\n";
}

} // namespace

HistoryDump::HistoryDump(Database& db) : m_db(db), m_snapshot(db)
{
    m_counts.schema_version = m_db.schema_version();
}

void HistoryDump::start_table(std::string& line)
{
    const HistoryTable& table = history_tables()[m_table];
    std::vector<std::string> order = table.key;
    if (order.empty()) {
        // No primary key: all columns make the order (rows equal in every column are
        // interchangeable in the dump).
        order = table_shape(m_db, table.name).columns;
    }
    m_query.reset();
    m_query.emplace(m_db,
                    "SELECT * FROM " + quoted(table.name) + " ORDER BY " + join_quoted(order));
    m_have_row = m_query->step();
    m_columns = m_query->column_count();
    m_table_rows = 0;
    line = "table\t" + table.name;
    for (int i = 0; i < m_columns; ++i) {
        const std::string name = m_query->column_name(i);
        quoted(name); // the importer puts it in statement text: a plain name only
        line += "\t" + name;
    }
    line += "\n";
}

bool HistoryDump::next_line(std::string& line)
{
    line.clear();
    switch (m_stage) {
    case Stage::header:
        line = header_line(m_counts.schema_version);
        m_stage = history_tables().empty() ? Stage::end : Stage::table;
        return true;
    case Stage::table:
        start_table(line);
        m_stage = Stage::rows;
        return true;
    case Stage::rows:
        if (m_have_row) {
            for (int i = 0; i < m_columns; ++i) {
                if (i > 0) {
                    line += '\t';
                }
                switch (m_query->column_kind(i)) {
                case Statement::Kind::null:
                    append_null(line);
                    break;
                case Statement::Kind::integer:
                    append_integer(line, m_query->column_int(i));
                    break;
                case Statement::Kind::real:
                    append_real(line, m_query->column_double(i));
                    break;
                case Statement::Kind::text:
                    append_text(line, m_query->column_text(i));
                    break;
                }
            }
            line += '\n';
            ++m_table_rows;
            m_have_row = m_query->step();
            return true;
        }
        line =
            "rows\t" + history_tables()[m_table].name + "\t" + std::to_string(m_table_rows) + "\n";
        m_query.reset();
        m_counts.rows += m_table_rows;
        ++m_counts.tables;
        m_stage = ++m_table < history_tables().size() ? Stage::table : Stage::end;
        return true;
    case Stage::end:
        line = "end\t" + std::to_string(m_counts.rows) + "\n";
        m_stage = Stage::done;
        return true;
    case Stage::done:
        return false;
    }
    return false;
}

namespace {

// Reads the dump's lines, counting them, and says where a problem is.
class DumpReader {
public:
    DumpReader(const DumpLineSource& source, const std::string& name)
        : m_source(source), m_name(name)
    {
    }

    // The next line without its '\n'; throws DumpDamaged at the end of the input (what:
    // what was expected there) or for a last line cut short.
    std::string_view next(const char* expected)
    {
        bool cut = false;
        const std::string_view line = next_maybe_cut(expected, cut);
        if (cut) {
            fail_cut();
        }
        return line;
    }
    // The same, but a last line without its newline is given (cut = true), so the header of
    // something that is no dump at all is called that, not a truncated dump.
    std::string_view next_maybe_cut(const char* expected, bool& cut)
    {
        if (!m_source(m_line)) {
            throw DumpDamaged(m_name + ": truncated: the dump ends after line " +
                              std::to_string(m_number) + " where " + expected +
                              " should follow; nothing imported");
        }
        ++m_number;
        cut = m_line.empty() || m_line.back() != '\n';
        return std::string_view(m_line).substr(0, m_line.size() - (cut ? 0 : 1));
    }
    [[noreturn]] void fail_cut() const
    {
        throw DumpDamaged(m_name + ":" + std::to_string(m_number) +
                          ": truncated: the last line is cut short (no newline); "
                          "nothing imported");
    }
    bool at_end()
    {
        std::string extra;
        return !m_source(extra);
    }
    [[noreturn]] void fail(const std::string& why) const
    {
        throw DumpDamaged(m_name + ":" + std::to_string(m_number) + ": " + why +
                          "; nothing imported");
    }
    int line_number() const { return m_number; }

private:
    const DumpLineSource& m_source;
    const std::string& m_name;
    std::string m_line;
    int m_number = 0;
};

// The header's schema version; throws for anything that is not a dump of format 1.
int read_header(DumpReader& reader)
{
    std::vector<std::string_view> fields;
    bool cut = false;
    const std::string_view line = reader.next_maybe_cut("the header", cut);
    if (!line.starts_with(k_dump_magic) && !(cut && k_dump_magic.starts_with(line))) {
        reader.fail("not an smtpprobe history dump (it starts with '" +
                    printable(std::string(line.substr(0, 60)), 60) + "')");
    }
    if (cut) {
        reader.fail_cut();
    }
    split_fields(line, fields);
    if (fields.size() != 4 || fields[0] != k_dump_magic || fields[2] != "schema") {
        reader.fail("malformed header");
    }
    std::int64_t format = 0;
    std::int64_t schema = 0;
    if (!parse_int64(fields[1], format) || !parse_int64(fields[3], schema) || schema < 0 ||
        schema > 1'000'000) {
        reader.fail("malformed header");
    }
    if (format != k_dump_format_version) {
        throw ImportRefused("dump format " + std::to_string(format) +
                            " is not the one this smtpprobe reads (" +
                            std::to_string(k_dump_format_version) +
                            "): import it with the smtpprobe that wrote it; nothing imported");
    }
    return static_cast<int>(schema);
}

std::int64_t parse_count(DumpReader& reader, std::string_view text)
{
    std::int64_t n = 0;
    if (!parse_int64(text, n) || n < 0) {
        reader.fail("malformed row count");
    }
    return n;
}

// Imports one table's section (its table line was not read yet); returns its row count.
std::int64_t import_table(Database& db, DumpReader& reader, const HistoryTable& table,
                          const std::vector<std::string>& target_columns)
{
    std::vector<std::string_view> fields;
    split_fields(reader.next(("the table line of '" + table.name + "'").c_str()), fields);
    if (fields.size() < 2 || fields[0] != "table") {
        reader.fail("expected the table line of '" + table.name + "'");
    }
    if (fields[1] != table.name) {
        reader.fail("expected table '" + table.name + "' here, found '" +
                    printable(std::string(fields[1]), 60) + "'");
    }
    // The same columns as the target, in any order (a backend may order added columns
    // differently); each once.
    std::vector<std::string> columns(fields.begin() + 2, fields.end());
    std::vector<std::string> sorted_dump = columns;
    std::vector<std::string> sorted_target = target_columns;
    std::sort(sorted_dump.begin(), sorted_dump.end());
    std::sort(sorted_target.begin(), sorted_target.end());
    if (sorted_dump != sorted_target) {
        throw ImportRefused("table '" + table.name + "' has other columns in the dump (line " +
                            std::to_string(reader.line_number()) +
                            ") than in the target, though both say the same schema version; "
                            "nothing imported");
    }
    std::string sql =
        "INSERT INTO " + quoted(table.name) + " (" + join_quoted(columns) + ") VALUES (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        sql += i == 0 ? "?" : ", ?";
    }
    sql += ")";
    Statement insert(db, sql);
    std::vector<DumpValue> values(columns.size());
    std::int64_t rows = 0;
    const std::string rest = "the rest of table '" + table.name + "'";
    while (true) {
        const std::string_view line = reader.next(rest.c_str());
        if (line.starts_with("rows\t")) {
            split_fields(line, fields);
            if (fields.size() != 3 || fields[1] != table.name) {
                reader.fail("malformed end of table '" + table.name + "'");
            }
            if (parse_count(reader, fields[2]) != rows) {
                reader.fail("table '" + table.name + "' says " + std::string(fields[2]) +
                            " rows, " + std::to_string(rows) + " came before");
            }
            after_bulk_import(db, table.name);
            return rows;
        }
        split_fields(line, fields);
        if (fields.size() != columns.size()) {
            reader.fail("a row of '" + table.name + "' has " + std::to_string(fields.size()) +
                        " values, the table " + std::to_string(columns.size()) + " columns");
        }
        for (std::size_t i = 0; i < fields.size(); ++i) {
            try {
                parse_value(fields[i], values[i]);
            } catch (const DumpFormatError& e) {
                reader.fail("column '" + columns[i] + "': " + e.what());
            }
            const int index = static_cast<int>(i) + 1;
            switch (values[i].kind) {
            case DumpValue::Kind::null:
                insert.bind(index, nullptr);
                break;
            case DumpValue::Kind::integer:
                insert.bind(index, values[i].integer);
                break;
            case DumpValue::Kind::real:
                insert.bind(index, values[i].real);
                break;
            case DumpValue::Kind::text:
                insert.bind_borrowed(index, values[i].text); // lives until run()
                break;
            }
        }
        insert.run();
        ++rows;
    }
}

} // namespace

CopyCounts import_history(Database& db, const DumpLineSource& next_line, const std::string& source)
{
    DumpReader reader(next_line, source);
    CopyCounts counts;
    counts.schema_version = read_header(reader);
    Transaction tx(db);
    const int target_version = db.schema_version();
    if (counts.schema_version != target_version) {
        throw ImportRefused(source + " is a dump of schema version " +
                            std::to_string(counts.schema_version) + ", " + db.path() +
                            " has schema version " + std::to_string(target_version) +
                            ": export and import with the same smtpprobe version (open the "
                            "source with this one first, then export again); nothing imported");
    }
    // Every table empty before a row is read: a refusal comes at once, not after gigabytes.
    std::map<std::string, std::vector<std::string>> columns;
    for (const HistoryTable& table : history_tables()) {
        TableShape shape = table_shape(db, table.name);
        if (shape.has_row) {
            throw ImportRefused(db.path() + ": table '" + table.name +
                                "' is not empty: import needs a new, empty history; "
                                "nothing imported");
        }
        columns[table.name] = std::move(shape.columns);
    }
    for (const HistoryTable& table : history_tables()) {
        counts.rows += import_table(db, reader, table, columns[table.name]);
        ++counts.tables;
    }
    std::vector<std::string_view> fields;
    split_fields(reader.next("the end line"), fields);
    if (fields.size() != 2 || fields[0] != "end") {
        reader.fail("expected the end line after the last table");
    }
    if (parse_count(reader, fields[1]) != counts.rows) {
        reader.fail("the end line says " + std::string(fields[1]) + " rows, " +
                    std::to_string(counts.rows) + " came before");
    }
    if (!reader.at_end()) {
        reader.fail("something follows the end line");
    }
    tx.commit();
    return counts;
}

} // namespace smtpprobe::store
