// --rules FILE / config `rules`: the user's classifier rules. See rules_option.hpp.
#include "cli/rules_option.hpp"

#include "monitor/classify/classifier.hpp"

#include <filesystem>
#include <toml++/toml.h>

namespace smtpprobe::cli {
namespace {

// The `rules` key of the config file, resolved against the config file's folder; "" if none.
// An unreadable or invalid config is not this function's business (the config reader reports
// it); only a named rule file is.
std::string rules_from_config(const GlobalOptions& global)
{
    bool explicit_choice = false;
    const std::string path = config_path(global, &explicit_choice);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return {};
    }
    try {
        const toml::table config = toml::parse_file(path);
        std::optional<std::string> value = config["rules"].value<std::string>();
        if (!value) {
            value = config["classify"]["rules"].value<std::string>();
        }
        if (!value || value->empty()) {
            return {};
        }
        std::filesystem::path rules(*value);
        if (rules.is_relative()) {
            rules = std::filesystem::path(path).parent_path() / rules;
        }
        return rules.string();
    } catch (const toml::parse_error&) {
        return {};
    }
}

} // namespace

void install_user_rules(const GlobalOptions& global)
{
    const std::string path = !global.rules.empty() ? global.rules : rules_from_config(global);
    if (path.empty()) {
        return;
    }
    try {
        classify::Classifier::use_user_rules(path);
    } catch (const classify::RuleError& e) {
        throw UsageError(std::string("rules: ") + e.what());
    }
}

} // namespace smtpprobe::cli
