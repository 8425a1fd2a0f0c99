// TOML session scripts -> probe::Script.
#include "monitor/scripts/script_file.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <toml++/toml.h>

namespace smtpprobe::scripts {

namespace {

// A true/false field: `fallback` when absent; a ScriptError when it is there but not a bool
// (`pipelining = "yes"` must not quietly mean false).
bool flag(const toml::table& table, const char* key, bool fallback, const std::string& where)
{
    const toml::node* node = table.get(key);
    if (!node) {
        return fallback;
    }
    if (const auto* value = node->as_boolean()) { // strict: value<bool>() takes 1 as true
        return value->get();
    }
    throw ScriptError(where + ": '" + key + "' must be true or false");
}

probe::Script from_table(const toml::table& table, const std::string& where,
                         const std::string& default_name)
{
    probe::Script script;
    script.name = table["name"].value_or(default_name);
    script.deliver = flag(table, "deliver", false, where);
    script.starttls = flag(table, "starttls", true, where);
    script.pipelining = flag(table, "pipelining", false, where);
    const toml::array* steps = table["step"].as_array();
    if (!steps || steps->empty()) {
        throw ScriptError(where + ": no [[step]] entries");
    }
    std::size_t n = 0;
    for (const auto& node : *steps) {
        ++n;
        std::string at = where + ": step " + std::to_string(n);
        const toml::table* t = node.as_table();
        if (!t) {
            throw ScriptError(at + ": not a table");
        }
        probe::ScriptStep step;
        auto command = (*t)["command"].value<std::string>();
        if (!command || command->empty()) {
            throw ScriptError(at + ": 'command' missing");
        }
        step.command = *command;
        step.stage = probe::stage_for_command(step.command);
        std::string verb = step.command.substr(0, step.command.find(' '));
        std::transform(verb.begin(), verb.end(), verb.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        step.label = (*t)["label"].value_or(verb);
        step.is_data = step.stage == probe::Stage::data;
        step.expect = static_cast<int>((*t)["expect"].value_or<std::int64_t>(step.is_data ? 3 : 2));
        std::string on_failure = (*t)["on_failure"].value_or(std::string("stop"));
        auto f = probe::parse_on_failure(on_failure);
        if (!f) {
            throw ScriptError(at + ": on_failure '" + on_failure +
                              "' (one of stop, continue, skip-to-rset)");
        }
        step.on_failure = *f;
        step.decisive = flag(*t, "decisive", false, at);
        script.steps.push_back(step);
    }
    // Without an explicit decisive step, the last RCPT decides (as in block-check).
    bool any = std::any_of(script.steps.begin(), script.steps.end(),
                           [](const probe::ScriptStep& s) { return s.decisive; });
    if (!any) {
        for (auto it = script.steps.rbegin(); it != script.steps.rend(); ++it) {
            if (it->stage == probe::Stage::rcpt) {
                it->decisive = true;
                break;
            }
        }
    }
    return script;
}

} // namespace

probe::Script load_script_file(const std::string& path)
{
    toml::table table;
    try {
        table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw ScriptError("script " + path + ": " + std::string(e.description()) + " (line " +
                          std::to_string(e.source().begin.line) + ")");
    }
    return from_table(table, "script " + path, std::filesystem::path(path).stem().string());
}

std::optional<probe::Script> load_config_script(const std::string& config_path,
                                                const std::string& name)
{
    std::error_code ec;
    if (config_path.empty() || !std::filesystem::exists(config_path, ec)) {
        return std::nullopt;
    }
    toml::table table;
    try {
        table = toml::parse_file(config_path);
    } catch (const toml::parse_error& e) {
        throw ScriptError("config " + config_path + ": " + std::string(e.description()));
    }
    const toml::table* scripts = table["scripts"].as_table();
    if (!scripts) {
        return std::nullopt;
    }
    const toml::table* t = (*scripts)[name].as_table();
    if (!t) {
        return std::nullopt;
    }
    return from_table(*t, "config " + config_path + " [scripts." + name + "]", name);
}

} // namespace smtpprobe::scripts
