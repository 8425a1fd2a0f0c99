// Rule files (TOML) into a RuleBook, with one clear error per mistake. See rule_loader.hpp.
#include "monitor/classify/rule_loader.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/classify/reply_facts.hpp"
#include "monitor/classify/rule_matcher.hpp"
#include "probe/embedded_file.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <re2/re2.h>
#include <set>
#include <span>
#include <sstream>
#include <toml++/toml.h>
#include <unordered_map>

namespace smtpprobe {
std::span<const EmbeddedFile> embedded_rules();
}

namespace smtpprobe::classify {
namespace {

constexpr auto k_reasons = std::to_array<std::string_view>(
    {"authfailure",     "badreputation", "blocked",        "contenterror",    "delivered",
     "exceedlimit",     "expired",       "failedstarttls", "feedback",        "filtered",
     "hasmoved",        "hostunknown",   "mailboxfull",    "mailererror",     "mesgtoobig",
     "networkerror",    "norelaying",    "notaccept",      "notcompliantrfc", "onhold",
     "policyviolation", "rejected",      "requireptr",     "securityerror",   "spamdetected",
     "speeding",        "suspend",       "syntaxerror",    "systemerror",     "systemfull",
     "toomanyconn",     "undefined",     "userunknown",    "vacation",        "virusdetected",
     "greylisting"});

constexpr auto k_abouts =
    std::to_array<std::string_view>({"ip", "domain", "recipient", "content", "transient",
                                     "unreachable", "tls", "auth", "config", "none"});

constexpr auto k_rule_fields = std::to_array<std::string_view>(
    {"id",       "provider", "priority", "reason",  "about",         "code",  "status",
     "contains", "pattern",  "unless",   "host",    "provider_code", "scope", "meaning",
     "action",   "source",   "comment",  "command", "not_status",    "format"});

// Literals are matched against normalized text, so they are normalized the same way.
// A leading or trailing space is kept (" rbl" must not match inside "cdrbl").
std::string lower(std::string_view text)
{
    std::string out;
    normalize_text(text, out);
    if (!out.empty() && (text.front() == ' ' || text.front() == '\t')) {
        out.insert(out.begin(), ' ');
    }
    if (!out.empty() && (text.back() == ' ' || text.back() == '\t')) {
        out.push_back(' ');
    }
    return out;
}

// Builds errors in the one format: "FILE: rule 'ID': field 'FIELD': what".
class RuleContext {
public:
    RuleContext(const std::string& file, std::string id) : m_file(file), m_id(std::move(id)) {}

    [[noreturn]] void fail(std::string_view field, std::string_view what) const
    {
        std::ostringstream out;
        out << m_file << ": rule '" << m_id << "': field '" << field << "': " << what;
        throw RuleError(out.str());
    }

    std::string text(const toml::table& table, std::string_view field, bool required) const
    {
        const toml::node* node = table.get(field);
        if (node == nullptr) {
            if (required) {
                fail(field, "is required");
            }
            return {};
        }
        const auto* value = node->as_string();
        if (value == nullptr) {
            fail(field, "must be a string");
        }
        return value->get();
    }

    // A string or an array of strings.
    std::vector<std::string> texts(const toml::table& table, std::string_view field) const
    {
        std::vector<std::string> out;
        const toml::node* node = table.get(field);
        if (node == nullptr) {
            return out;
        }
        if (const auto* one = node->as_string()) {
            out.push_back(one->get());
        } else if (const auto* many = node->as_array()) {
            for (const toml::node& item : *many) {
                const auto* value = item.as_string();
                if (value == nullptr) {
                    fail(field, "must be a string or an array of strings");
                }
                out.push_back(value->get());
            }
        } else {
            fail(field, "must be a string or an array of strings");
        }
        for (const std::string& value : out) {
            if (value.empty()) {
                fail(field, "holds an empty string");
            }
        }
        return out;
    }

private:
    const std::string& m_file;
    std::string m_id;
};

std::vector<int> parse_codes(const toml::table& table, const RuleContext& ctx)
{
    std::vector<int> out;
    const toml::node* node = table.get("code");
    if (node == nullptr) {
        return out;
    }
    auto add = [&](const toml::node& item) {
        const auto* value = item.as_integer();
        if (value == nullptr || value->get() < 200 || value->get() > 599) {
            ctx.fail("code", "must be a reply code 200-599 or an array of them");
        }
        out.push_back(static_cast<int>(value->get()));
    };
    if (const auto* many = node->as_array()) {
        for (const toml::node& item : *many) {
            add(item);
        }
    } else {
        add(*node);
    }
    return out;
}

std::vector<StatusRange> parse_statuses(const toml::table& table, const RuleContext& ctx,
                                        std::string_view field)
{
    std::vector<StatusRange> out;
    for (const std::string& item : ctx.texts(table, field)) {
        const auto dash = item.find('-');
        const auto low = parse_status(item.substr(0, dash));
        const auto high =
            dash == std::string::npos ? low : parse_status(std::string_view(item).substr(dash + 1));
        if (!low || !high || *high < *low) {
            ctx.fail(field, "'" + item +
                                "' is not a status like 5.7.1 or a range like "
                                "5.7.606-5.7.649");
        }
        out.push_back({*low, *high});
    }
    return out;
}

Rule parse_rule(const toml::table& table, const std::string& file, std::size_t index,
                int default_priority)
{
    std::string id = "#" + std::to_string(index + 1);
    if (const auto* value = table.get_as<std::string>("id")) {
        id = value->get();
    }
    RuleContext ctx(file, id);
    for (const auto& [key, value] : table) {
        if (std::find(k_rule_fields.begin(), k_rule_fields.end(), key.str()) ==
            k_rule_fields.end()) {
            ctx.fail(key.str(), "unknown field");
        }
    }
    Rule rule;
    rule.id = ctx.text(table, "id", true);
    if (rule.id.empty()) {
        ctx.fail("id", "must not be empty");
    }
    rule.file = file;
    rule.provider = ctx.text(table, "provider", false);
    rule.priority = default_priority;
    if (const toml::node* node = table.get("priority")) {
        const auto* value = node->as_integer();
        if (value == nullptr || value->get() < -100000 || value->get() > 100000) {
            ctx.fail("priority", "must be an integer");
        }
        rule.priority = static_cast<int>(value->get());
    }
    rule.reason = ctx.text(table, "reason", true);
    if (!is_known_reason(rule.reason)) {
        ctx.fail("reason", "unknown reason '" + rule.reason + "'");
    }
    rule.about = ctx.text(table, "about", true);
    if (std::find(k_abouts.begin(), k_abouts.end(), rule.about) == k_abouts.end()) {
        ctx.fail("about", "must be ip, domain, recipient, content, transient, unreachable, "
                          "tls, auth, config or none");
    }
    rule.codes = parse_codes(table, ctx);
    rule.statuses = parse_statuses(table, ctx, "status");
    rule.not_statuses = parse_statuses(table, ctx, "not_status");
    for (const std::string& item : ctx.texts(table, "contains")) {
        rule.contains.push_back(lower(item));
    }
    rule.patterns = ctx.texts(table, "pattern");
    for (const std::string& pattern : rule.patterns) {
        re2::RE2 compiled(pattern, matcher_options());
        if (!compiled.ok()) {
            ctx.fail("pattern", "bad RE2 pattern '" + pattern + "': " + compiled.error());
        }
    }
    for (const std::string& item : ctx.texts(table, "unless")) {
        rule.unless.push_back(lower(item));
    }
    for (const std::string& item : ctx.texts(table, "host")) {
        rule.hosts.push_back(lower(item));
    }
    for (std::string item : ctx.texts(table, "command")) {
        std::transform(item.begin(), item.end(), item.begin(), [](unsigned char c) {
            return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        });
        rule.commands.push_back(std::move(item));
    }
    for (const std::string& item : ctx.texts(table, "format")) {
        rule.formats.push_back(lower(item));
    }
    rule.provider_code = ctx.text(table, "provider_code", false);
    rule.scope = ctx.text(table, "scope", false);
    rule.meaning = ctx.text(table, "meaning", true);
    rule.action = ctx.text(table, "action", true);
    rule.source = ctx.text(table, "source", true);
    if (rule.codes.empty() && rule.statuses.empty() && !rule.has_text_condition() &&
        rule.hosts.empty()) {
        ctx.fail("code", "a rule needs at least one condition (code, status, contains, "
                         "pattern or host)");
    }
    const bool wants_capture = rule.provider_code.find("{1}") != std::string::npos ||
                               rule.scope.find("{1}") != std::string::npos;
    if (wants_capture && rule.patterns.empty()) {
        ctx.fail("pattern", "'{1}' is used but there is no pattern to capture it");
    }
    return rule;
}

CodeShape parse_code_shape(const toml::table& table, const std::string& file, std::size_t index)
{
    RuleContext ctx(file, "code #" + std::to_string(index + 1));
    for (const auto& [key, value] : table) {
        if (key.str() != "pattern" && key.str() != "format" && key.str() != "comment") {
            ctx.fail(key.str(), "unknown field");
        }
    }
    CodeShape shape;
    shape.pattern = ctx.text(table, "pattern", true);
    shape.format = ctx.text(table, "format", true);
    re2::RE2 compiled(shape.pattern, matcher_options());
    if (!compiled.ok()) {
        ctx.fail("pattern", "bad RE2 pattern '" + shape.pattern + "': " + compiled.error());
    }
    if (compiled.NumberOfCapturingGroups() != 1) {
        ctx.fail("pattern", "needs exactly one capture group");
    }
    if (shape.format.find("{1}") == std::string::npos) {
        ctx.fail("format", "must contain {1}");
    }
    return shape;
}

ProviderHint parse_hint(const toml::table& table, const std::string& file, std::size_t index)
{
    RuleContext ctx(file, "hint #" + std::to_string(index + 1));
    for (const auto& [key, value] : table) {
        if (key.str() != "provider" && key.str() != "contains" && key.str() != "comment") {
            ctx.fail(key.str(), "unknown field");
        }
    }
    ProviderHint hint;
    hint.provider = ctx.text(table, "provider", true);
    for (const std::string& item : ctx.texts(table, "contains")) {
        hint.contains.push_back(lower(item));
    }
    if (hint.contains.empty()) {
        ctx.fail("contains", "is required");
    }
    return hint;
}

// A JSON rule file has the same shape as the TOML one ({"rule": [{...}], "hint": [...]});
// it is converted node by node so that one validator serves both.
void json_to_toml(const nlohmann::json& in, toml::array& out);

toml::table json_object_to_toml(const nlohmann::json& in)
{
    toml::table out;
    for (const auto& [key, value] : in.items()) {
        if (value.is_object()) {
            out.insert(key, json_object_to_toml(value));
        } else if (value.is_array()) {
            toml::array array;
            json_to_toml(value, array);
            out.insert(key, std::move(array));
        } else if (value.is_string()) {
            out.insert(key, value.get<std::string>());
        } else if (value.is_boolean()) {
            out.insert(key, value.get<bool>());
        } else if (value.is_number_integer()) {
            out.insert(key, value.get<std::int64_t>());
        } else if (value.is_number()) {
            out.insert(key, value.get<double>());
        }
    }
    return out;
}

void json_to_toml(const nlohmann::json& in, toml::array& out)
{
    for (const auto& value : in) {
        if (value.is_object()) {
            out.push_back(json_object_to_toml(value));
        } else if (value.is_array()) {
            toml::array array;
            json_to_toml(value, array);
            out.push_back(std::move(array));
        } else if (value.is_string()) {
            out.push_back(value.get<std::string>());
        } else if (value.is_boolean()) {
            out.push_back(value.get<bool>());
        } else if (value.is_number_integer()) {
            out.push_back(value.get<std::int64_t>());
        } else if (value.is_number()) {
            out.push_back(value.get<double>());
        }
    }
}

bool looks_like_json(std::string_view text, const std::string& file)
{
    if (file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0) {
        return true;
    }
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

} // namespace

bool is_known_reason(std::string_view reason)
{
    return std::find(k_reasons.begin(), k_reasons.end(), reason) != k_reasons.end();
}

RuleBook parse_rule_file(std::string_view text, const std::string& file, int default_priority)
{
    toml::table root;
    if (looks_like_json(text, file)) {
        try {
            const auto json = nlohmann::json::parse(text);
            if (!json.is_object()) {
                throw RuleError(file + ": a JSON rule file must be an object {\"rule\": [...]}");
            }
            root = json_object_to_toml(json);
        } catch (const nlohmann::json::exception& e) {
            throw RuleError(file + ": not valid JSON: " + e.what());
        }
    } else {
        try {
            root = toml::parse(text, file);
        } catch (const toml::parse_error& e) {
            std::ostringstream out;
            out << file << ":" << e.source().begin.line << ":" << e.source().begin.column
                << ": not valid TOML: " << e.description();
            throw RuleError(out.str());
        }
    }
    RuleBook book;
    for (const auto& [key, value] : root) {
        if (key.str() != "rule" && key.str() != "hint" && key.str() != "code") {
            throw RuleError(file + ": unknown top-level key '" + std::string(key.str()) +
                            "' (expected [[rule]], [[hint]] or [[code]] tables)");
        }
        const auto* array = value.as_array();
        if (array == nullptr) {
            throw RuleError(file + ": '" + std::string(key.str()) +
                            "' must be an array of tables ([[" + std::string(key.str()) + "]])");
        }
        std::size_t index = 0;
        for (const toml::node& item : *array) {
            const auto* table = item.as_table();
            if (table == nullptr) {
                throw RuleError(file + ": '" + std::string(key.str()) +
                                "' must be an array of tables");
            }
            if (key.str() == "rule") {
                book.rules.push_back(parse_rule(*table, file, index, default_priority));
            } else if (key.str() == "code") {
                book.codes.push_back(parse_code_shape(*table, file, index));
            } else {
                book.hints.push_back(parse_hint(*table, file, index));
            }
            ++index;
        }
    }
    std::set<std::string> seen;
    for (const Rule& rule : book.rules) {
        if (!seen.insert(rule.id).second) {
            RuleContext(file, rule.id).fail("id", "duplicate id in the same file");
        }
    }
    return book;
}

void merge_rule_books(RuleBook& base, RuleBook overlay)
{
    std::unordered_map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < base.rules.size(); ++i) {
        position[base.rules[i].id] = i;
    }
    for (Rule& rule : overlay.rules) {
        const auto found = position.find(rule.id);
        if (found != position.end()) {
            base.rules[found->second] = std::move(rule);
        } else {
            position[rule.id] = base.rules.size();
            base.rules.push_back(std::move(rule));
        }
    }
    for (ProviderHint& hint : overlay.hints) {
        base.hints.push_back(std::move(hint));
    }
    for (CodeShape& shape : overlay.codes) {
        base.codes.push_back(std::move(shape));
    }
}

RuleBook load_embedded_rule_book()
{
    std::vector<EmbeddedFile> files(embedded_rules().begin(), embedded_rules().end());
    std::sort(files.begin(), files.end(),
              [](const EmbeddedFile& a, const EmbeddedFile& b) { return a.name < b.name; });
    RuleBook book;
    for (const EmbeddedFile& file : files) {
        if (file.name.size() < 5 || file.name.substr(file.name.size() - 5) != ".toml") {
            continue;
        }
        merge_rule_books(book, parse_rule_file(file.data, "rules/" + std::string(file.name)));
    }
    return book;
}

} // namespace smtpprobe::classify
