// `smtpprobe dsn-test HOST[:PORT]` and the global `--dsn-test HOST[:PORT]`: the DSN
// backscatter test of DESIGN.md. Exit 0 safe, 1 backscatter risk, 2 usage, 3 inconclusive /
// could not complete. Without --send the verdict is inferred from the SMTP dialogue; with
// --send (and --receive or --mailbox) one test message asks for a success DSN and the verdict
// says whether one actually came back (dsn_closed_loop.hpp).
#include "cli/commands.hpp"
#include "cli/dsn_closed_loop.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "cli/probe_report.hpp"
#include "cli/probe_setup.hpp"
#include "monitor/classify/classifier.hpp"
#include "monitor/store/probe_store.hpp"
#include "probe/dsn_advice.hpp"
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
    ClosedLoopOptions loop;
    int wait_seconds = 120;
};

// CLASSIFICATION CALL SITE: whether a refusal is about the sender (Sisimai's "rejected").
bool refuses_sender(const probe::Reply& reply)
{
    std::string text = reply.text();
    classify::Input input;
    input.reply_code = reply.code;
    input.enhanced = reply.enhanced;
    input.text = text;
    return classify::Classifier::current().classify(input).reason == "rejected";
}

struct ClosedLoopRun {
    bool attempted = false;
    bool sent = false;
    std::string not_sent; // why the test message did not go out
    ClosedLoopResult result;
};

// The one probe pipeline's options for a dsn-test session (stored with its verdict).
probing::PipelineOptions dsn_options(Context& ctx, const config::Config& config,
                                     const SessionCliOptions& session, probe::Script script)
{
    probing::PipelineOptions options = pipeline_options(ctx, config, session, std::move(script));
    options.batch.concurrency = 1;
    return options;
}

// Sends the test message (dsn-send script) and waits for its DSN.
ClosedLoopRun run_closed_loop(Context& ctx, const config::Config& config, const DsnTestArgs& args,
                              store::Database* db, ReceiptWatch& watch)
{
    ClosedLoopRun run;
    run.attempted = true;
    probing::PipelineOptions options =
        dsn_options(ctx, config, args.session, *probe::builtin_script("dsn-send"));
    // The dialogue just passed the receiver's minimum interval: this is the same test.
    options.ignore_min_interval = true;
    const std::vector<probing::ProbeOutcome> outcomes = probing::run_probes(
        db, config, {explicit_request(config, args.session, args.target)}, options);
    const probing::ProbeOutcome& outcome = outcomes.front();
    if (!outcome.result) {
        run.not_sent = outcome.skipped;
        return run;
    }
    const probe::ProbeResult& sent = *outcome.result;
    const probe::StepRecord* data = sent.step("data");
    bool accepted = sent.outcome == probe::Outcome::completed && data && data->reply;
    if (!accepted) {
        run.not_sent = std::string(probe::outcome_name(sent.outcome)) + " at " +
                       probe::stage_name(sent.stage) +
                       (sent.decisive ? ": " + std::to_string(sent.decisive->code) + " " +
                                            printable(sent.decisive->lines.empty()
                                                          ? std::string()
                                                          : sent.decisive->lines.front(),
                                                      300)
                        : sent.error.empty() ? std::string()
                                             : ": " + printable(sent.error, 300));
        return run;
    }
    run.sent = true;
    run.result = watch.wait_for(outcome.envid, sent.finished_at);
    return run;
}

nlohmann::json closed_loop_json(const ClosedLoopRun& run, const DsnTestArgs& args)
{
    if (!run.attempted) {
        return nullptr;
    }
    return {
        {"sent", run.sent},
        {"not_sent", run.not_sent.empty() ? nlohmann::json(nullptr) : nlohmann::json(run.not_sent)},
        {"watched", args.loop.receive.empty() ? args.loop.mailbox : args.loop.receive},
        {"wait_seconds", args.wait_seconds},
        {"report_found", run.result.report_found},
        {"kind", run.result.kind},
        {"action", run.result.action},
        {"reporting_mta", run.result.reporting_mta},
        {"success_dsn", run.result.kind == "receipt"},
        {"delay_seconds", run.result.delay_seconds ? nlohmann::json(*run.result.delay_seconds)
                                                   : nlohmann::json(nullptr)}};
}

std::string closed_loop_line(const ClosedLoopRun& run, const DsnTestArgs& args)
{
    if (!run.sent) {
        return "test message not accepted (" + run.not_sent + ")";
    }
    if (!run.result.report_found) {
        return "no delivery status report came back within " + std::to_string(args.wait_seconds) +
               " s";
    }
    char delay[32];
    std::snprintf(delay, sizeof delay, "%.1f", run.result.delay_seconds.value_or(0));
    std::string line =
        run.result.kind == "receipt"
            ? "a success DSN (return receipt, Action: " + printable(run.result.action, 40) + ")"
            : "a " + run.result.kind + " report (Action: " + printable(run.result.action, 40) + ")";
    line += " came back after " + std::string(delay) + " s";
    if (!run.result.reporting_mta.empty()) {
        line += " from " + printable(run.result.reporting_mta, 200);
    }
    return line;
}

int run_dsn_test(Context& ctx, DsnTestArgs& args)
{
    bool closed_loop = args.session.send;
    if (closed_loop) {
        if (args.session.rcpt.empty()) {
            throw UsageError("--send: give --rcpt, a recipient you control on the tested server");
        }
        if (args.loop.receive.empty() == args.loop.mailbox.empty()) {
            throw UsageError("--send: give exactly one of --receive ADDR:PORT (the built-in "
                             "receiver for the DSN) or --mailbox PATH (mbox or Maildir)");
        }
        if (args.wait_seconds < 1 || args.wait_seconds > 3600) {
            throw UsageError("--wait: expected 1..3600 seconds");
        }
        args.loop.wait = std::chrono::seconds(args.wait_seconds);
    }
    const config::Config config = load_effective_config(ctx.global);
    // The dialogue test never sends DATA, whatever --send says.
    SessionCliOptions dialogue = args.session;
    dialogue.send = false;
    probing::PipelineOptions options =
        dsn_options(ctx, config, dialogue, *probe::builtin_script("dsn-test"));
    std::unique_ptr<store::Database> db = probe_database(ctx, config, args.session);
    std::vector<probing::ProbeOutcome> outcomes;
    try {
        outcomes = probing::run_probes(db.get(), config,
                                       {explicit_request(config, dialogue, args.target)}, options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const probing::ProbeOutcome& outcome = outcomes.front();
    if (!outcome.result) {
        throw IncompleteError("dsn-test: " + outcome.skipped);
    }
    const probe::ProbeResult& result = *outcome.result;
    probe::DsnReport report = probe::evaluate_dsn_test(result, refuses_sender);
    const classify::Result& c = outcome.classification;
    if (report.verdict == probe::DsnVerdict::inconclusive && !c.reason.empty()) {
        report.reason += " [classified: " + std::string(c.reason) +
                         (c.provider_code.empty() ? "" : ", " + c.provider_code) + "]";
    }
    ClosedLoopRun loop;
    if (closed_loop) {
        ReceiptWatch watch(args.loop, result.helo);
        loop = run_closed_loop(ctx, config, args, db.get(), watch);
        if (loop.result.kind == "receipt") {
            report.verdict = probe::DsnVerdict::backscatter_risk;
            report.completed = true;
            report.reason = "a success DSN for the test message came back to the sender: the "
                            "server sends return receipts on request (" +
                            closed_loop_line(loop, args) + ")";
            report.advice = probe::dsn_remedy(report.mta);
            report.change.clear();
            report.stage.clear();
        }
    }
    nlohmann::json doc = probe::dsn_json(result, report);
    doc["evidence"] = loop.sent ? "closed-loop" : "dialogue";
    doc["closed_loop"] = closed_loop_json(loop, args);
    if (db != nullptr && outcome.run_id != 0 && !args.session.no_store) {
        store::annotate_probe_run(*db, outcome.run_id, probe::dsn_verdict_name(report.verdict),
                                  json_text(doc));
    }

    if (ctx.global.json) {
        std::cout << json_text(doc, 2) << "\n";
    } else if (ctx.global.verbosity < 0) {
        // -q: only a finding or what kept the test from completing, one line each.
        if (report.verdict != probe::DsnVerdict::safe) {
            std::cout << printable(result.mx_host, 256) << ": "
                      << probe::dsn_verdict_name(report.verdict) << ": " << report.reason << "\n";
            if (report.verdict == probe::DsnVerdict::backscatter_risk) {
                std::cout << "Advice: " << report.advice << "\n";
            }
        }
    } else {
        print_transcript(std::cout, result);
        std::cout << "\n";
        std::cout << "Host:             " << printable(result.mx_host, 256);
        if (!result.ip.empty()) {
            std::cout << " [" << result.ip << "]:" << result.port;
        }
        std::cout << "\n";
        if (!report.mta.empty()) {
            std::cout << "MTA:              " << report.mta << " (from the banner and EHLO)\n";
        }
        if (result.tls) {
            std::cout << "TLS:              " << result.tls->version << " " << result.tls->cipher
                      << (result.tls->verified
                              ? ", certificate verified"
                              : ", certificate NOT verified (" + result.tls->verify_error + ")")
                      << "\n";
        }
        std::cout << "DSN advertised:   " << (report.dsn_advertised ? "yes" : "no") << "\n";
        std::cout << "NOTIFY accepted:  "
                  << (report.notify_accepted ? (*report.notify_accepted ? "yes" : "no")
                                             : "unknown (not tested)")
                  << "\n";
        auto show = [](const std::optional<probe::Reply>& r) {
            return r ? std::to_string(r->code) + " " +
                           printable(r->lines.empty() ? "" : r->lines.front(), 300)
                     : std::string("(not reached)");
        };
        std::cout << "RCPT with NOTIFY: " << show(report.rcpt_with_notify) << "\n";
        std::cout << "RCPT without:     " << show(report.rcpt_without_notify) << "\n";
        if (loop.attempted) {
            std::cout << "Closed loop:      " << closed_loop_line(loop, args) << "\n";
        }
        std::cout << "Verdict:          " << probe::dsn_verdict_name(report.verdict) << ": "
                  << report.reason << "\n";
        if (report.verdict == probe::DsnVerdict::inconclusive && !report.change.empty()) {
            std::cout << "Stopped at:       " << report.stage << " (change: " << report.change
                      << ")\n";
        }
        std::cout << "Evidence:         "
                  << (loop.sent ? "closed loop: a real message was sent and its DSN awaited"
                                : "inferred from the SMTP dialogue (no message was sent; "
                                  "--send with --receive or --mailbox proves it)")
                  << "\n";
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

void add_closed_loop_options(CLI::App& app, DsnTestArgs& args)
{
    app.add_option("--receive", args.loop.receive,
                   "with --send: receive the DSN on this ADDR:PORT (built-in SMTP receiver)");
    app.add_option("--mailbox", args.loop.mailbox,
                   "with --send: watch this mbox file or Maildir for the DSN");
    app.add_option("--wait", args.wait_seconds,
                   "with --send: seconds to wait for the DSN (default 120)");
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
    add_closed_loop_options(*cmd, *args);
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
    add_closed_loop_options(*group, *global);
}

} // namespace smtpprobe::cli
