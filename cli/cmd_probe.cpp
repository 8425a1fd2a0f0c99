// `smtpprobe probe TARGET... [--script NAME|FILE] [session options] [--concurrency N]
// [--per-receiver N]`: scripted sessions against domains or hosts, concurrently. Prints one
// summary line per target (or --json), stores every session unless --no-store.
// Every session goes through the one probe pipeline (monitor/probing): a configured receiver
// is never probed within its min_interval unless --ignore-min-interval is given.
// Exit: 0 every session completed and accepted; 1 a finding (a 4xx/5xx refusal: a block);
// 3 some session could not complete (DNS failure, no such domain or a null MX, connect, TLS,
// timeout, protocol error) or was not run (min_interval); 2 usage.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "cli/probe_report.hpp"
#include "cli/probe_setup.hpp"
#include "monitor/config/config.hpp"
#include "monitor/scripts/script_file.hpp"
#include "probe/printable.hpp"
#include "probe/result_json.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {

namespace {

struct ProbeArgs {
    std::vector<std::string> targets;
    std::string script = "block-check";
    SessionCliOptions session;
    std::size_t concurrency = 100;
    std::size_t per_receiver = 4;
};

probe::Script find_script(const Context& ctx, const std::string& name)
{
    if (auto builtin = probe::builtin_script(name)) {
        return *builtin;
    }
    try {
        std::error_code ec;
        if (std::filesystem::is_regular_file(name, ec)) {
            return scripts::load_script_file(name);
        }
        if (auto configured = scripts::load_config_script(config_path(ctx.global), name)) {
            return *configured;
        }
    } catch (const scripts::ScriptError& e) {
        throw UsageError(e.what());
    }
    throw UsageError("--script: '" + name +
                     "' is neither a built-in script (block-check, dsn-test, deliver), a "
                     "file, nor a [scripts." +
                     name + "] table of the config");
}

bool is_finding(const probe::ProbeResult& r)
{
    // A domain that does not exist or accepts no mail (null MX) says nothing about us: the
    // probe could not complete (exit 3), it is no finding.
    if (r.outcome == probe::Outcome::rejected || r.outcome == probe::Outcome::deferred) {
        return true;
    }
    // A completed dialogue whose decisive reply refused (a continue-on-failure step).
    return r.outcome == probe::Outcome::completed && r.decisive && r.decisive->code >= 400;
}

int run_probe(Context& ctx, const ProbeArgs& args)
{
    const config::Config config = load_effective_config(ctx.global);
    probing::PipelineOptions options =
        pipeline_options(ctx, config, args.session, find_script(ctx, args.script));
    options.batch.concurrency = args.concurrency;
    options.batch.per_receiver = args.per_receiver;
    // No TARGET: the receivers of the configuration (file or built-in defaults) from their
    // identities, as `run` probes them (DESIGN.md's CLI contract).
    std::vector<probing::ProbeRequest> requests;
    if (args.targets.empty()) {
        requests = config_requests(config, args.session);
        if (requests.empty()) {
            throw UsageError("probe: no TARGET given and no enabled [[receiver]] in the config");
        }
    } else {
        for (const std::string& target : args.targets) {
            requests.push_back(explicit_request(config, args.session, target));
        }
    }
    std::unique_ptr<store::Database> db = probe_database(ctx, config, args.session);
    std::vector<probing::ProbeOutcome> outcomes;
    try {
        outcomes = probing::run_probes(db.get(), config, requests, options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }

    bool finding = false;
    bool incomplete = false;
    nlohmann::json docs = nlohmann::json::array();
    for (const probing::ProbeOutcome& outcome : outcomes) {
        if (!outcome.result) {
            incomplete = true; // skipped: the minimum interval, or a problem named below
            if (ctx.global.json) {
                docs.push_back({{"target", outcome.request.target},
                                {"receiver", outcome.request.receiver},
                                {"skipped", outcome.skipped}});
            } else {
                std::cout << printable(outcome.request.target, 256)
                          << ": not probed: " << printable(outcome.skipped, 400) << "\n";
            }
            continue;
        }
        const probe::ProbeResult& r = *outcome.result;
        finding = finding || is_finding(r);
        incomplete = incomplete || (r.outcome != probe::Outcome::completed && !is_finding(r));
        if (ctx.global.json) {
            nlohmann::json doc = probe::result_json(r);
            const classify::Result& c = outcome.classification;
            doc["classification"] =
                c.reason.empty()
                    ? nlohmann::json(nullptr)
                    : nlohmann::json{{"provider", c.provider},
                                     {"scope", c.scope},
                                     {"reason", c.reason},
                                     {"provider_code", c.provider_code},
                                     {"outcome", evidence::name(outcome.decision.outcome)}};
            doc["receiver"] = outcome.request.receiver;
            docs.push_back(doc);
        } else if (ctx.global.verbosity >= 0 || r.outcome != probe::Outcome::completed ||
                   is_finding(r)) {
            // -q leaves out the sessions that completed and were accepted.
            if (ctx.global.verbosity > 0) {
                print_transcript(std::cout, r);
            }
            print_summary(std::cout, r, outcome.classification, outcome.decision);
        }
    }
    if (ctx.global.json) {
        std::cout << json_text(nlohmann::json{{"results", docs}}, 2) << "\n";
    }
    if (finding) {
        return k_exit_finding;
    }
    return incomplete ? k_exit_incomplete : k_exit_ok;
}

} // namespace

void add_probe_command(CLI::App& app, Context& ctx)
{
    auto args = std::make_shared<ProbeArgs>();
    auto* cmd = app.add_subcommand("probe", "scripted SMTP sessions against domains or hosts "
                                            "(never DATA unless --send)");
    cmd->add_option("targets", args->targets,
                    "TARGET: domain, host or IP, with :PORT (default: the config's receivers)");
    cmd->add_option("--script", args->script,
                    "block-check (default), dsn-test, deliver, a TOML file, or a config script");
    add_session_options(*cmd, args->session);
    cmd->add_option("--concurrency", args->concurrency, "sessions at once (all receivers)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--per-receiver", args->per_receiver, "sessions at once per receiver")
        ->check(CLI::Range(1, 10000));
    cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_probe(ctx, *args); }; });
}

} // namespace smtpprobe::cli
