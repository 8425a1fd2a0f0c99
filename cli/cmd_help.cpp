// `smtpprobe help [COMMAND...]` and the one line for a mistyped command: the nearest
// subcommand by edit distance ("unknown command 'statsu'; did you mean 'status'?").
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "probe/printable.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::vector<const CLI::App*> children(const CLI::App& parent)
{
    std::vector<const CLI::App*> out;
    for (const CLI::App* sub : parent.get_subcommands([](const CLI::App*) { return true; })) {
        if (!sub->get_name().empty()) {
            out.push_back(sub);
        }
    }
    return out;
}

const CLI::App* child_named(const CLI::App& parent, const std::string& name)
{
    for (const CLI::App* sub : children(parent)) {
        if (sub->get_name() == name) {
            return sub;
        }
    }
    return nullptr;
}

// A command that only groups others (`ingest`, `config`, the root) takes no positionals:
// a bare word there can only be a subcommand's name.
bool groups_only(const CLI::App& app)
{
    return !children(app).empty() &&
           app.get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
}

// Does the option named by this token take a value in the next token ("--db PATH")?
bool takes_separate_value(const CLI::App& app, const std::string& token)
{
    if (token.find('=') != std::string::npos || token.size() < 2) {
        return false;
    }
    for (const CLI::App* at = &app; at != nullptr; at = at->get_parent()) {
        const CLI::Option* option = at->get_option_no_throw(token);
        if (option != nullptr) {
            return option->get_expected_min() > 0;
        }
    }
    return false;
}

std::string command_path(const CLI::App& app)
{
    std::string path;
    for (const CLI::App* at = &app; at != nullptr && at->get_parent() != nullptr;
         at = at->get_parent()) {
        path = at->get_name() + (path.empty() ? "" : " " + path);
    }
    return path;
}

std::string unknown_line(const CLI::App& where, const std::string& word)
{
    std::string nearest;
    std::size_t best = 0;
    std::string names;
    for (const CLI::App* sub : children(where)) {
        const std::size_t d = edit_distance(word, sub->get_name());
        if (nearest.empty() || d < best) {
            nearest = sub->get_name();
            best = d;
        }
        names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    const std::string path = command_path(where);
    std::string line = "unknown command '" + printable(word, 60) + "'" +
                       (path.empty() ? std::string() : " for '" + path + "'");
    // A suggestion only when it is plausibly a typo (at most a third of the word changed).
    if (!nearest.empty() && best <= std::max<std::size_t>(2, word.size() / 3)) {
        line += "; did you mean '" + nearest + "'?";
    } else {
        line += "; commands: " + names;
    }
    return line;
}

} // namespace

std::optional<std::string> unknown_command(const CLI::App& app,
                                           const std::vector<std::string>& args)
{
    const CLI::App* at = &app;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& token = args[i];
        if (token == "--") {
            return std::nullopt;
        }
        if (token.size() > 1 && token[0] == '-') {
            if (takes_separate_value(*at, token)) {
                ++i;
            }
            continue;
        }
        if (const CLI::App* sub = child_named(*at, token)) {
            at = sub;
            continue;
        }
        if (groups_only(*at)) {
            return unknown_line(*at, token);
        }
        return std::nullopt; // a positional argument of a command
    }
    if (at != &app && groups_only(*at)) {
        std::string names;
        for (const CLI::App* sub : children(*at)) {
            names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        return "'" + command_path(*at) + "' needs a command: " + names;
    }
    return std::nullopt;
}

namespace {

// Prints the help of the command path (`ingest log`); exit 0, or 2 for an unknown word.
int print_help_of(const CLI::App& root, const std::vector<std::string>& words)
{
    const CLI::App* at = &root;
    std::string path = "smtpprobe";
    for (const std::string& word : words) {
        const CLI::App* sub = child_named(*at, word);
        if (sub == nullptr) {
            throw UsageError(unknown_line(*at, word));
        }
        at = sub;
        path += " " + word;
    }
    // The formatter directly: App::help() would show the help of the parsed `help`.
    std::cout << at->get_formatter()->make_help(at, path, CLI::AppFormatMode::Normal);
    return k_exit_ok;
}

} // namespace

std::optional<int> run_help_command(const CLI::App& app, const std::vector<std::string>& args)
{
    // The first word that is no option's value decides: `help` there asks for help, and the
    // words after it name the command (CLI11 alone would read `help status` as `status`).
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& token = args[i];
        if (token.size() > 1 && token[0] == '-') {
            if (takes_separate_value(app, token)) {
                ++i;
            }
            continue;
        }
        if (token != "help") {
            return std::nullopt;
        }
        std::vector<std::string> words;
        for (std::size_t j = i + 1; j < args.size(); ++j) {
            if (!(args[j].size() > 1 && args[j][0] == '-')) {
                words.push_back(args[j]);
            }
        }
        return print_help_of(app, words);
    }
    return std::nullopt;
}

void add_help_command(CLI::App& app, Context& ctx)
{
    // Listed in --help; main answers `help ...` before parsing (run_help_command), so this
    // action only runs for forms that reach the parser.
    CLI::App* cmd = app.add_subcommand("help", "this help, or a command's: help [COMMAND...]");
    auto words = std::make_shared<std::vector<std::string>>();
    cmd->add_option("command", *words, "a command, like 'status' or 'ingest log'");
    const CLI::App* root = &app;
    cmd->callback([&ctx, words, root] {
        ctx.action = [words, root] { return print_help_of(*root, *words); };
    });
}

} // namespace smtpprobe::cli
