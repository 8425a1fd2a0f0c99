// smtpprobe explain TEXT|CODE: runs a reply text, an enhanced status ("5.7.606") or a
// provider code ("S3140") through the classifier and prints provider, scope, reason, meaning
// and action (or one JSON document with --json). Exit 0 when understood, 1 when unknown.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "monitor/classify/classifier.hpp"
#include "monitor/classify/status_fallback.hpp"
#include "monitor/evidence/outcome_class.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace smtpprobe::cli {
namespace {

struct ExplainOptions {
    std::vector<std::string> words;
    std::string host;
};

// Known = a rule decided, or at least a status/reply code gave a generic meaning.
bool understood(const classify::Result& result)
{
    return !result.rule_id.empty() || !result.status.empty() || result.reply_code.has_value();
}

void print_human(const classify::Result& r)
{
    auto line = [](std::string_view label, std::string_view value) {
        if (!value.empty()) {
            std::cout << label << printable(value, 2000) << "\n";
        }
    };
    line("provider:      ", r.provider);
    line("scope:         ", r.scope);
    const evidence::OutcomeClass outcome = evidence::outcome_class(r);
    line("reason:        ", std::string(r.reason) + " (about " + std::string(r.about) + ")");
    line("outcome:       ",
         std::string(evidence::name(outcome)) + ": " + std::string(evidence::label(outcome)));
    line("about:         ", classify::about_meaning(r.about));
    line("provider code: ", r.provider_code);
    line("status:        ", r.status);
    line("reply code:    ", r.reply_code ? std::to_string(*r.reply_code) : std::string());
    line("named IP:      ", r.named_ip);
    line("meaning:       ", r.meaning);
    line("action:        ", r.action);
    line("rule:          ",
         r.rule_id.empty() ? std::string_view("(RFC fallback, no rule matched)") : r.rule_id);
    line("source:        ", r.source);
}

nlohmann::json to_json(const classify::Result& r, bool known)
{
    nlohmann::json out;
    out["known"] = known;
    out["provider"] = r.provider;
    out["scope"] = r.scope;
    out["reason"] = r.reason;
    out["about"] = r.about;
    out["about_meaning"] = classify::about_meaning(r.about);
    out["provider_code"] = r.provider_code;
    out["status"] = r.status;
    out["reply_code"] = r.reply_code ? nlohmann::json(*r.reply_code) : nlohmann::json(nullptr);
    out["named_ip"] = r.named_ip;
    out["meaning"] = r.meaning;
    out["action"] = r.action;
    out["rule_id"] = r.rule_id;
    out["source"] = r.source;
    const evidence::OutcomeClass outcome = evidence::outcome_class(r);
    out["outcome"] = evidence::name(outcome);
    out["is_block"] = outcome == evidence::OutcomeClass::blocked;
    return out;
}

int run_explain(const ExplainOptions& options, const GlobalOptions& global)
{
    std::string text;
    for (const std::string& word : options.words) {
        text += text.empty() ? "" : " ";
        text += word;
    }
    classify::Input input;
    input.text = text;
    input.remote_host = options.host;
    const classify::Result result = classify::Classifier::current().classify(input);
    const bool known = understood(result);
    if (global.json) {
        std::cout << json_text(to_json(result, known), 2) << "\n";
    } else if (known) {
        print_human(result);
    } else {
        std::cout << "unknown: no rule, status or reply code recognized in '"
                  << printable(text, 300) << "'\n";
        if (!result.provider.empty() && result.provider != "other") {
            std::cout << "provider:      " << result.provider << "\n";
        }
    }
    return known ? k_exit_ok : k_exit_finding;
}

} // namespace

void add_explain_command(CLI::App& app, Context& ctx)
{
    auto options = std::make_shared<ExplainOptions>();
    CLI::App* cmd = app.add_subcommand(
        "explain", "what a reply, status (5.7.606) or provider code (S3140) means, what to do");
    cmd->add_option("text", options->words, "reply text, enhanced status or provider code")
        ->required();
    cmd->add_option("--host", options->host, "the receiving host (MX or relay) that replied");
    cmd->footer("Exit codes: 0 understood; 1 unknown input; 2 usage or bad rule file.");
    cmd->parse_complete_callback([options, &ctx] {
        ctx.action = [options, &ctx] { return run_explain(*options, ctx.global); };
    });
}

} // namespace smtpprobe::cli
