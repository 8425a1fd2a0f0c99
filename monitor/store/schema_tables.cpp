// Reads the tables and primary keys out of the migrations' SQL (see schema_tables.hpp). Only
// the statements that name, drop or rename tables and keys matter; the rest (indexes, added
// columns) is skipped. Column lists are not kept: the copy reads them from the database.
#include "monitor/store/schema_tables.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace smtpprobe::store {

namespace {

// One token of a statement: a word or quoted name (is_name), a string literal, or one
// punctuation character.
struct Token {
    std::string text;
    bool is_name = false;
};

bool word_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The statements of one migration, each as tokens; comments dropped.
std::vector<std::vector<Token>> statements(std::string_view sql)
{
    std::vector<std::vector<Token>> out(1);
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            i = std::min(sql.find('\n', i), sql.size());
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            const std::size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
        } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (c == ';') {
            out.emplace_back();
            ++i;
        } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
            // A literal ('...') or a quoted name ("...", `...`, [...]); a doubled quote
            // inside stands for itself.
            const char close = c == '[' ? ']' : c;
            std::string text;
            std::size_t j = i + 1;
            while (j < sql.size()) {
                if (sql[j] == close) {
                    if (close != ']' && j + 1 < sql.size() && sql[j + 1] == close) {
                        text += close;
                        j += 2;
                        continue;
                    }
                    break;
                }
                text += sql[j++];
            }
            out.back().push_back({c == '\'' ? "'" + text + "'" : text, c != '\''});
            i = j + 1;
        } else if (word_char(c)) {
            std::size_t j = i;
            while (j < sql.size() && word_char(sql[j])) {
                ++j;
            }
            out.back().push_back({std::string(sql.substr(i, j - i)), true});
            i = j;
        } else {
            out.back().push_back({std::string(1, c), false});
            ++i;
        }
    }
    std::erase_if(out, [](const std::vector<Token>& s) { return s.empty(); });
    return out;
}

// Walks one statement's tokens.
class Cursor {
public:
    explicit Cursor(const std::vector<Token>& tokens) : m_tokens(tokens) {}
    bool done() const { return m_at >= m_tokens.size(); }
    // Consumes the keyword (case-insensitive) if it is next.
    bool accept(std::string_view keyword)
    {
        if (!done() && m_tokens[m_at].is_name && lower(m_tokens[m_at].text) == keyword) {
            ++m_at;
            return true;
        }
        return false;
    }
    bool accept_punct(char c)
    {
        if (!done() && !m_tokens[m_at].is_name && m_tokens[m_at].text == std::string(1, c)) {
            ++m_at;
            return true;
        }
        return false;
    }
    // A name (a schema prefix "main." is dropped).
    std::string name()
    {
        if (done() || !m_tokens[m_at].is_name) {
            throw std::logic_error("schema: a name was expected");
        }
        std::string n = m_tokens[m_at++].text;
        if (accept_punct('.')) {
            return name();
        }
        return n;
    }
    // The tokens up to the parenthesis that closes the one just consumed, split at top-level
    // commas.
    std::vector<std::vector<Token>> parenthesized_list()
    {
        std::vector<std::vector<Token>> items(1);
        int depth = 1;
        while (!done()) {
            const Token& t = m_tokens[m_at++];
            if (!t.is_name && t.text == "(") {
                ++depth;
            } else if (!t.is_name && t.text == ")" && --depth == 0) {
                return items;
            } else if (!t.is_name && t.text == "," && depth == 1) {
                items.emplace_back();
                continue;
            }
            items.back().push_back(t);
        }
        throw std::logic_error("schema: unbalanced parentheses");
    }

private:
    const std::vector<Token>& m_tokens;
    std::size_t m_at = 0;
};

bool is_keyword(const Token& t, std::string_view keyword)
{
    return t.is_name && lower(t.text) == keyword;
}

// The primary key of a CREATE TABLE body: a table constraint PRIMARY KEY (a, b) or a column
// defined with PRIMARY KEY.
std::vector<std::string> primary_key(const std::vector<std::vector<Token>>& body)
{
    for (const std::vector<Token>& item : body) {
        if (item.empty()) {
            continue;
        }
        std::size_t first = 0;
        if (is_keyword(item[0], "constraint") && item.size() > 2) {
            first = 2;
        }
        if (is_keyword(item[first], "primary")) {
            std::vector<std::string> key;
            int depth = 0;
            for (std::size_t i = first + 1; i < item.size(); ++i) {
                const Token& t = item[i];
                if (!t.is_name && t.text == "(") {
                    ++depth;
                } else if (!t.is_name && t.text == ")") {
                    --depth;
                } else if (depth == 1 && t.is_name &&
                           (i == 0 || item[i - 1].text == "(" || item[i - 1].text == ",")) {
                    key.push_back(t.text);
                }
            }
            return key;
        }
        if (is_keyword(item[first], "unique") || is_keyword(item[first], "check") ||
            is_keyword(item[first], "foreign") || first != 0) {
            continue;
        }
        for (std::size_t i = 1; i + 1 < item.size(); ++i) {
            if (is_keyword(item[i], "primary") && is_keyword(item[i + 1], "key")) {
                return {item[0].text};
            }
        }
    }
    return {};
}

std::vector<HistoryTable>::iterator find_table(std::vector<HistoryTable>& tables,
                                               const std::string& name)
{
    const std::string wanted = lower(name);
    return std::find_if(tables.begin(), tables.end(),
                        [&](const HistoryTable& t) { return lower(t.name) == wanted; });
}

void apply(std::vector<HistoryTable>& tables, const std::vector<Token>& statement)
{
    Cursor c(statement);
    if (c.accept("create")) {
        if (!c.accept("temp")) {
            c.accept("temporary");
        }
        if (!c.accept("table")) {
            return; // an index, view or trigger: no rows of its own
        }
        if (c.accept("if")) {
            c.accept("not");
            c.accept("exists");
        }
        HistoryTable table{c.name(), {}};
        if (c.accept_punct('(')) {
            table.key = primary_key(c.parenthesized_list());
        }
        if (find_table(tables, table.name) == tables.end()) {
            tables.push_back(std::move(table));
        }
    } else if (c.accept("drop")) {
        if (!c.accept("table")) {
            return;
        }
        if (c.accept("if")) {
            c.accept("exists");
        }
        if (auto it = find_table(tables, c.name()); it != tables.end()) {
            tables.erase(it);
        }
    } else if (c.accept("alter")) {
        if (!c.accept("table")) {
            return;
        }
        auto it = find_table(tables, c.name());
        if (it == tables.end() || !c.accept("rename")) {
            return; // ADD / DROP COLUMN: the copy reads the columns from the database
        }
        if (c.accept("to")) {
            it->name = c.name();
            return;
        }
        c.accept("column");
        const std::string from = lower(c.name());
        if (!c.accept("to")) {
            throw std::logic_error("schema: ALTER TABLE " + it->name + " RENAME without TO");
        }
        const std::string to = c.name();
        for (std::string& column : it->key) {
            if (lower(column) == from) {
                column = to;
            }
        }
    }
}

} // namespace

std::vector<HistoryTable> tables_of(std::span<const Migration> migrations)
{
    std::vector<HistoryTable> tables;
    for (const Migration& m : migrations) {
        for (const std::vector<Token>& statement : statements(m.sql)) {
            apply(tables, statement);
        }
    }
    std::erase_if(tables,
                  [](const HistoryTable& t) { return lower(t.name) == "schema_migration"; });
    return tables;
}

const std::vector<HistoryTable>& history_tables()
{
    static const std::vector<HistoryTable> tables = tables_of(migrations());
    return tables;
}

bool is_plain_identifier(std::string_view name)
{
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

} // namespace smtpprobe::store
