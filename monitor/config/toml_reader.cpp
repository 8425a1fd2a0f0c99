// The strict TOML table reader of toml_reader.hpp, and duration parsing.
#include "monitor/config/toml_reader.hpp"

#include <charconv>
#include <limits>

namespace smtpprobe::config {

namespace {

const char* type_name(const toml::node& node)
{
    switch (node.type()) {
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a number";
    case toml::node_type::boolean:
        return "a boolean";
    default:
        return "a date/time";
    }
}

} // namespace

bool parse_duration(const std::string& text, std::chrono::seconds* out)
{
    if (text.empty() || text.size() > 32) {
        return false;
    }
    long long total = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    bool any = false;
    while (p < end) {
        long long number = 0;
        auto [next, ec] = std::from_chars(p, end, number);
        if (ec != std::errc() || next == p || number < 0) {
            return false;
        }
        p = next;
        long long unit = 1;
        if (p < end) {
            switch (*p) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            default:
                return false;
            }
            ++p;
        } else if (any) {
            return false; // "1h30" is ambiguous
        }
        if (number > std::numeric_limits<int>::max() / unit) {
            return false;
        }
        total += number * unit;
        any = true;
    }
    if (total <= 0) {
        return false;
    }
    *out = std::chrono::seconds(total);
    return true;
}

std::string ConfigProblem::to_string() const
{
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line) + ":" + std::to_string(column);
    }
    out += ": ";
    if (!key.empty()) {
        out += key + ": ";
    }
    return out + message;
}

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : std::runtime_error(problems.empty()
                             ? std::string("invalid config")
                             : problems.front().to_string() +
                                   (problems.size() > 1
                                        ? " (and " + std::to_string(problems.size() - 1) + " more)"
                                        : std::string())),
      m_problems(std::move(problems))
{
}

TomlReader::TomlReader(const toml::table& table, std::string path, std::string file,
                       std::vector<ConfigProblem>& problems)
    : m_table(table), m_path(std::move(path)), m_file(std::move(file)), m_problems(problems)
{
}

std::string TomlReader::key_path(const std::string& key) const
{
    return m_path.empty() ? key : m_path + "." + key;
}

bool TomlReader::has(const std::string& key) const
{
    return m_table.contains(key);
}

const toml::node* TomlReader::node(const std::string& key)
{
    m_used.insert(key);
    return m_table.get(key);
}

void TomlReader::problem_at(const toml::source_region& where, const std::string& key,
                            const std::string& message)
{
    m_problems.push_back({m_file, static_cast<int>(where.begin.line),
                          static_cast<int>(where.begin.column), key_path(key), message});
}

void TomlReader::problem(const std::string& key, const std::string& message)
{
    const toml::node* n = m_table.get(key);
    problem_at(n ? n->source() : m_table.source(), key, message);
}

void TomlReader::get(const std::string& key, std::string& out)
{
    if (const toml::node* n = node(key)) {
        if (auto v = n->value_exact<std::string>()) {
            out = *v;
        } else {
            problem_at(n->source(), key, std::string("expected a string, got ") + type_name(*n));
        }
    }
}

void TomlReader::get(const std::string& key, bool& out)
{
    if (const toml::node* n = node(key)) {
        if (auto v = n->value_exact<bool>()) {
            out = *v;
        } else {
            problem_at(n->source(), key,
                       std::string("expected true or false, got ") + type_name(*n));
        }
    }
}

void TomlReader::get(const std::string& key, int& out, int min, int max)
{
    if (const toml::node* n = node(key)) {
        auto v = n->value_exact<std::int64_t>();
        if (!v) {
            problem_at(n->source(), key, std::string("expected an integer, got ") + type_name(*n));
        } else if (*v < min || *v > max) {
            problem_at(n->source(), key,
                       "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                           ", got " + std::to_string(*v));
        } else {
            out = static_cast<int>(*v);
        }
    }
}

void TomlReader::get_duration(const std::string& key, std::chrono::seconds& out)
{
    if (const toml::node* n = node(key)) {
        if (auto i = n->value_exact<std::int64_t>()) {
            if (*i <= 0 || *i > std::numeric_limits<int>::max()) {
                problem_at(n->source(), key, "a duration must be positive");
            } else {
                out = std::chrono::seconds(*i);
            }
        } else if (auto s = n->value_exact<std::string>()) {
            if (!parse_duration(*s, &out)) {
                problem_at(n->source(), key,
                           "\"" + *s +
                               "\" is not a duration (seconds, or like \"90s\", \"15m\", "
                               "\"1h30m\", \"2d\")");
            }
        } else {
            problem_at(n->source(), key,
                       std::string("expected a duration (\"15m\" or seconds), got ") +
                           type_name(*n));
        }
    }
}

void TomlReader::get(const std::string& key, std::vector<std::string>& out)
{
    const toml::node* n = node(key);
    if (!n) {
        return;
    }
    const toml::array* array = n->as_array();
    if (!array) {
        problem_at(n->source(), key,
                   std::string("expected an array of strings, got ") + type_name(*n));
        return;
    }
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
        if (auto v = item.value_exact<std::string>()) {
            values.push_back(*v);
        } else {
            problem_at(item.source(), key, "every element must be a string");
            return;
        }
    }
    out = std::move(values);
}

void TomlReader::get(const std::string& key, std::map<std::string, std::string>& out)
{
    const toml::node* n = node(key);
    if (!n) {
        return;
    }
    const toml::table* table = n->as_table();
    if (!table) {
        problem_at(n->source(), key, std::string("expected a table, got ") + type_name(*n));
        return;
    }
    for (auto&& [name, value] : *table) {
        if (auto v = value.value_exact<std::string>()) {
            out[std::string(name.str())] = *v;
        } else {
            problem_at(value.source(), key + "." + std::string(name.str()), "expected a string");
        }
    }
}

std::vector<const toml::table*> TomlReader::tables(const std::string& key)
{
    std::vector<const toml::table*> out;
    const toml::node* n = node(key);
    if (!n) {
        return out;
    }
    const toml::array* array = n->as_array();
    if (!array) {
        problem_at(n->source(), key,
                   std::string("expected an array of tables ([[") + key_path(key) + "]]), got " +
                       type_name(*n));
        return out;
    }
    for (const toml::node& item : *array) {
        if (const toml::table* t = item.as_table()) {
            out.push_back(t);
        } else {
            problem_at(item.source(), key, "every element must be a table");
        }
    }
    return out;
}

const toml::table* TomlReader::table(const std::string& key)
{
    const toml::node* n = node(key);
    if (!n) {
        return nullptr;
    }
    if (const toml::table* t = n->as_table()) {
        return t;
    }
    problem_at(n->source(), key, std::string("expected a table, got ") + type_name(*n));
    return nullptr;
}

void TomlReader::finish()
{
    for (auto&& [name, value] : m_table) {
        std::string key(name.str());
        if (!m_used.count(key)) {
            problem_at(name.source().begin.line ? name.source() : value.source(), key,
                       "unknown key (see deploy/config.example.toml)");
        }
    }
}

} // namespace smtpprobe::config
