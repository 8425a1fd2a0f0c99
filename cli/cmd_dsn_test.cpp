// `smtpprobe dsn-test HOST[:PORT]` and the global `--dsn-test HOST[:PORT]`: the DSN
// backscatter test of DESIGN.md. Exit 0 safe, 1 backscatter risk, 2 usage, 3 inconclusive /
// could not complete.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "cli/probe_report.hpp"
#include "cli/probe_setup.hpp"
#include "probe/dsn_test.hpp"
#include "probe/printable.hpp"
#include "probe/result_json.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {

namespace {

struct DsnTestArgs {
    std::string target;
    SessionCliOptions session;
};

int run_dsn_test(Context& ctx, const DsnTestArgs& args)
{
    const config::Config config = load_effective_config(ctx.global);
    probing::PipelineOptions options =
        pipeline_options(ctx, config, args.session, *probe::builtin_script("dsn-test"));
    options.batch.concurrency = 1;
    // The verdict and its detail are stored with the run (the pipeline's annotate hook).
    options.annotate = [](const probe::ProbeResult& result, std::string& verdict,
                          std::string& detail) {
        const probe::DsnReport report = probe::evaluate_dsn_test(result);
        verdict = probe::dsn_verdict_name(report.verdict);
        detail = json_text(probe::dsn_json(result, report));
    };
    std::unique_ptr<store::Database> db = probe_database(ctx, config, args.session);
    std::vector<probing::ProbeOutcome> outcomes;
    try {
        outcomes = probing::run_probes(
            db.get(), config, {explicit_request(config, args.session, args.target)}, options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const probing::ProbeOutcome& outcome = outcomes.front();
    if (!outcome.result) {
        throw IncompleteError("dsn-test: " + outcome.skipped);
    }
    const probe::ProbeResult& result = *outcome.result;
    probe::DsnReport report = probe::evaluate_dsn_test(result);
    const classify::Result& c = outcome.classification;
    if (report.verdict == probe::DsnVerdict::inconclusive && !c.reason.empty()) {
        report.reason += " [classified: " + std::string(c.reason) +
                         (c.provider_code.empty() ? "" : ", " + c.provider_code) + "]";
    }
    nlohmann::json doc = probe::dsn_json(result, report);

    if (ctx.global.json) {
        std::cout << json_text(doc, 2) << "\n";
    } else {
        print_transcript(std::cout, result);
        std::cout << "\n";
        std::cout << "Host:             " << printable(result.mx_host, 256);
        if (!result.ip.empty()) {
            std::cout << " [" << result.ip << "]:" << result.port;
        }
        std::cout << "\n";
        if (result.tls) {
            std::cout << "TLS:              " << result.tls->version << " " << result.tls->cipher
                      << (result.tls->verified
                              ? ", certificate verified"
                              : ", certificate NOT verified (" + result.tls->verify_error + ")")
                      << "\n";
        }
        std::cout << "DSN advertised:   " << (report.dsn_advertised ? "yes" : "no") << "\n";
        std::cout << "NOTIFY accepted:  "
                  << (report.notify_accepted ? (*report.notify_accepted ? "yes" : "no") : "unknown")
                  << "\n";
        auto show = [](const std::optional<probe::Reply>& r) {
            return r ? std::to_string(r->code) + " " +
                           printable(r->lines.empty() ? "" : r->lines.front(), 300)
                     : std::string("(not reached)");
        };
        std::cout << "RCPT with NOTIFY: " << show(report.rcpt_with_notify) << "\n";
        std::cout << "RCPT without:     " << show(report.rcpt_without_notify) << "\n";
        std::cout << "Verdict:          " << probe::dsn_verdict_name(report.verdict) << ": "
                  << report.reason << "\n";
        std::cout << "Advice:           " << report.advice << "\n";
    }
    switch (report.verdict) {
    case probe::DsnVerdict::safe:
        return k_exit_ok;
    case probe::DsnVerdict::backscatter_risk:
        return k_exit_finding;
    case probe::DsnVerdict::inconclusive:
        break;
    }
    return k_exit_incomplete;
}

} // namespace

void add_dsn_test_command(CLI::App& app, Context& ctx)
{
    auto args = std::make_shared<DsnTestArgs>();
    auto* cmd = app.add_subcommand("dsn-test", "DSN backscatter test of one mail server: RCPT "
                                               "with and without NOTIFY=SUCCESS in one session");
    cmd->add_option("target", args->target, "HOST[:PORT] (a domain goes through MX lookup)")
        ->required();
    add_session_options(*cmd, args->session);
    cmd->callback([&ctx, args] { ctx.action = [&ctx, args] { return run_dsn_test(ctx, *args); }; });

    // The global form `smtpprobe --dsn-test HOST[:PORT] [options]`.
    auto global = std::make_shared<DsnTestArgs>();
    auto* group = app.add_option_group("dsn-test", "options of the global --dsn-test form");
    group
        ->add_option("--dsn-test", global->target,
                     "run the DSN backscatter test against HOST[:PORT] (= dsn-test)")
        ->each([&ctx, global](const std::string&) {
            ctx.action = [&ctx, global] { return run_dsn_test(ctx, *global); };
        });
    add_session_options(*group, global->session);
}

} // namespace smtpprobe::cli
