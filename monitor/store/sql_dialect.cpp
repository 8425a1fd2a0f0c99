// SQLite's spelling of our SQL into PostgreSQL's (see sql_dialect.hpp).
#include "monitor/store/sql_dialect.hpp"

#include <cctype>
#include <map>
#include <stdexcept>

namespace smtpprobe::store::dialect {

namespace {

enum class TokenKind { word, parameter, literal, quoted, comment, space, other };

struct Token {
    TokenKind kind;
    std::string text;
};

bool word_start(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool word_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Splits SQL into tokens; the concatenation of every token's text is the input.
std::vector<Token> tokenize(std::string_view sql)
{
    std::vector<Token> out;
    std::size_t i = 0;
    auto take = [&](TokenKind kind, std::size_t end) {
        out.push_back({kind, std::string(sql.substr(i, end - i))});
        i = end;
    };
    while (i < sql.size()) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            std::size_t j = i + 1;
            while (j < sql.size()) {
                if (sql[j] == c) {
                    if (j + 1 < sql.size() && sql[j + 1] == c) {
                        j += 2; // a doubled quote inside
                        continue;
                    }
                    break;
                }
                ++j;
            }
            if (j >= sql.size()) {
                throw std::logic_error("SQL: unterminated quote");
            }
            take(c == '\'' ? TokenKind::literal : TokenKind::quoted, j + 1);
        } else if (c == '-' && sql.substr(i, 2) == "--") {
            std::size_t end = sql.find('\n', i);
            take(TokenKind::comment, end == std::string_view::npos ? sql.size() : end);
        } else if (c == '/' && sql.substr(i, 2) == "/*") {
            std::size_t end = sql.find("*/", i + 2);
            if (end == std::string_view::npos) {
                throw std::logic_error("SQL: unterminated comment");
            }
            take(TokenKind::comment, end + 2);
        } else if (c == '?') {
            std::size_t j = i + 1;
            while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) {
                ++j;
            }
            take(TokenKind::parameter, j);
        } else if (c == ':' && i + 1 < sql.size() && word_start(sql[i + 1]) &&
                   (i == 0 || sql[i - 1] != ':')) {
            std::size_t j = i + 1;
            while (j < sql.size() && word_char(sql[j])) {
                ++j;
            }
            take(TokenKind::parameter, j);
        } else if (word_start(c)) {
            std::size_t j = i + 1;
            while (j < sql.size() && word_char(sql[j])) {
                ++j;
            }
            take(TokenKind::word, j);
        } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            std::size_t j = i + 1;
            while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j])) != 0) {
                ++j;
            }
            take(TokenKind::space, j);
        } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            std::size_t j = i + 1;
            while (j < sql.size() && (word_char(sql[j]) || sql[j] == '.')) {
                ++j;
            }
            take(TokenKind::other, j);
        } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
            take(TokenKind::other, i + 2);
        } else {
            take(TokenKind::other, i + 1);
        }
    }
    return out;
}

bool is_word(const Token& t, std::string_view upper)
{
    if (t.kind != TokenKind::word || t.text.size() != upper.size()) {
        return false;
    }
    for (std::size_t i = 0; i < upper.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(t.text[i])) != upper[i]) {
            return false;
        }
    }
    return true;
}

// The index of the next token after i that is not space or comment (tokens.size() if none).
std::size_t next_code(const std::vector<Token>& tokens, std::size_t i)
{
    for (std::size_t j = i + 1; j < tokens.size(); ++j) {
        if (tokens[j].kind != TokenKind::space && tokens[j].kind != TokenKind::comment) {
            return j;
        }
    }
    return tokens.size();
}

bool words_follow(const std::vector<Token>& tokens, std::size_t i,
                  std::initializer_list<std::string_view> words)
{
    std::size_t at = i;
    bool first = true;
    for (std::string_view w : words) {
        at = first ? at : next_code(tokens, at);
        first = false;
        if (at >= tokens.size() || !is_word(tokens[at], w)) {
            return false;
        }
    }
    return true;
}

// Whether the parenthesis at open holds a comma at its own depth (a two-argument call).
bool has_top_level_comma(const std::vector<Token>& tokens, std::size_t open)
{
    int depth = 0;
    for (std::size_t j = open; j < tokens.size(); ++j) {
        const Token& t = tokens[j];
        if (t.kind != TokenKind::other) {
            continue;
        }
        if (t.text == "(") {
            ++depth;
        } else if (t.text == ")") {
            if (--depth == 0) {
                return false;
            }
        } else if (t.text == "," && depth == 1) {
            return true;
        }
    }
    return false;
}

// Two columns of ours are named by words PostgreSQL reserves (OFFSET, FETCH): quoted there
// where they name a column. FETCH is never a keyword in our SQL; OFFSET is one only right
// after LIMIT's value (a parameter, a number or a parenthesis).
void quote_reserved_columns(std::vector<Token>& tokens)
{
    bool limit_seen = false;
    std::size_t previous = tokens.size();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        Token& t = tokens[i];
        if (t.kind == TokenKind::space || t.kind == TokenKind::comment) {
            continue;
        }
        if (is_word(t, "LIMIT")) {
            limit_seen = true;
        } else if (is_word(t, "FETCH")) {
            t.text = "\"fetch\"";
        } else if (is_word(t, "OFFSET")) {
            const bool after_value =
                previous < tokens.size() &&
                (tokens[previous].kind == TokenKind::parameter || tokens[previous].text == ")" ||
                 std::isdigit(static_cast<unsigned char>(tokens[previous].text[0])) != 0);
            if (!(limit_seen && after_value)) {
                t.text = "\"offset\"";
            }
        }
        previous = i;
    }
}

// Whether the word at i is the type of a column definition: "name TYPE" right after "(", ","
// or ADD [COLUMN] (a column may itself be named text: "text TEXT NOT NULL").
bool column_type_position(const std::vector<Token>& tokens, std::size_t i)
{
    std::size_t name = tokens.size();
    std::size_t before = tokens.size();
    for (std::size_t j = i; j-- > 0;) {
        if (tokens[j].kind == TokenKind::space || tokens[j].kind == TokenKind::comment) {
            continue;
        }
        if (name == tokens.size()) {
            name = j;
            continue;
        }
        before = j;
        break;
    }
    if (name == tokens.size() || before == tokens.size() ||
        (tokens[name].kind != TokenKind::word && tokens[name].kind != TokenKind::quoted)) {
        return false;
    }
    const Token& b = tokens[before];
    return b.text == "(" || b.text == "," || is_word(b, "COLUMN") || is_word(b, "ADD");
}

// The rules shared by statements and schema text; schema adds its column rules.
void translate_words(std::vector<Token>& tokens, bool schema)
{
    quote_reserved_columns(tokens);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        Token& t = tokens[i];
        if (t.kind != TokenKind::word) {
            continue;
        }
        if (schema && words_follow(tokens, i, {"INTEGER", "PRIMARY", "KEY"})) {
            t.text = "BIGINT GENERATED BY DEFAULT AS IDENTITY";
        } else if (is_word(t, "INTEGER")) {
            t.text = "BIGINT";
        } else if (is_word(t, "REAL")) {
            t.text = "DOUBLE PRECISION";
        } else if (schema && is_word(t, "TEXT") && column_type_position(tokens, i)) {
            t.text = "TEXT COLLATE \"C\"";
        } else if (schema && words_follow(tokens, i, {"WITHOUT", "ROWID"})) {
            const std::size_t rowid = next_code(tokens, i);
            for (std::size_t j = i; j <= rowid; ++j) {
                tokens[j].text.clear();
            }
        } else if (is_word(t, "MAX") || is_word(t, "MIN")) {
            const std::size_t open = next_code(tokens, i);
            if (open < tokens.size() && tokens[open].text == "(" &&
                has_top_level_comma(tokens, open)) {
                t.text = is_word(t, "MAX") ? "GREATEST" : "LEAST";
            }
        } else if (is_word(t, "INSTR") && next_code(tokens, i) < tokens.size() &&
                   tokens[next_code(tokens, i)].text == "(") {
            t.text = "strpos"; // same arguments, same 1-based answer, 0 when absent
        } else if (words_follow(tokens, i, {"INSERT", "OR", "REPLACE"})) {
            throw std::logic_error("SQL: INSERT OR REPLACE has no PostgreSQL form; write "
                                   "INSERT ... ON CONFLICT (...) DO UPDATE");
        }
    }
}

std::string join(const std::vector<Token>& tokens)
{
    std::string out;
    for (const Token& t : tokens) {
        out += t.text;
    }
    return out;
}

} // namespace

PgStatementText to_postgresql(std::string_view sqlite_sql)
{
    std::vector<Token> tokens = tokenize(sqlite_sql);
    PgStatementText out;

    // Parameters, numbered as SQLite numbers them.
    std::map<std::string, int> named;
    for (Token& t : tokens) {
        if (t.kind != TokenKind::parameter) {
            continue;
        }
        int index = 0;
        if (t.text[0] == ':') {
            auto [it, added] = named.emplace(t.text, out.parameters + 1);
            index = it->second;
        } else if (t.text.size() > 1) {
            index = std::stoi(t.text.substr(1));
        } else {
            index = out.parameters + 1;
        }
        if (index < 1 || index > 32766) {
            throw std::logic_error("SQL: parameter index out of range");
        }
        if (index > out.parameters) {
            out.parameters = index;
        }
        if (out.names.size() < static_cast<std::size_t>(index)) {
            out.names.resize(static_cast<std::size_t>(index));
        }
        if (t.text[0] == ':') {
            out.names[static_cast<std::size_t>(index - 1)] = t.text;
        }
        t.text = "$" + std::to_string(index);
    }
    out.names.resize(static_cast<std::size_t>(out.parameters));

    translate_words(tokens, false);

    // INSERT OR IGNORE INTO -> INSERT INTO ... ON CONFLICT DO NOTHING.
    bool ignore = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (!words_follow(tokens, i, {"INSERT"})) {
            continue;
        }
        std::size_t at = next_code(tokens, i);
        if (words_follow(tokens, at, {"OR", "IGNORE"})) {
            const std::size_t ignore_at = next_code(tokens, at);
            for (std::size_t j = i + 1; j <= ignore_at; ++j) {
                tokens[j].text.clear();
            }
            ignore = true;
            at = next_code(tokens, ignore_at);
        }
        // INTO table ( id ...: the statement gives identity values itself.
        if (words_follow(tokens, at, {"INTO"})) {
            const std::size_t table = next_code(tokens, at);
            const std::size_t open = next_code(tokens, table);
            const std::size_t first = next_code(tokens, open);
            if (open < tokens.size() && tokens[open].text == "(" && first < tokens.size() &&
                is_word(tokens[first], "ID")) {
                out.explicit_id_table = tokens[table].text;
            }
        }
        break;
    }
    if (ignore) {
        // Before RETURNING when there is one, else at the end (before a final ';').
        std::size_t at = tokens.size();
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (is_word(tokens[i], "RETURNING")) {
                at = i;
                break;
            }
        }
        if (at == tokens.size()) {
            while (at > 0 &&
                   (tokens[at - 1].kind == TokenKind::space || tokens[at - 1].text == ";")) {
                --at;
            }
        }
        tokens.insert(tokens.begin() + static_cast<std::ptrdiff_t>(at),
                      Token{TokenKind::other, " ON CONFLICT DO NOTHING "});
    }
    out.sql = join(tokens);
    return out;
}

std::string schema_to_postgresql(std::string_view sqlite_schema)
{
    std::vector<Token> tokens = tokenize(sqlite_schema);
    for (const Token& t : tokens) {
        if (t.kind == TokenKind::parameter) {
            throw std::logic_error("SQL: a parameter in schema text");
        }
    }
    translate_words(tokens, true);
    return join(tokens);
}

} // namespace smtpprobe::store::dialect
