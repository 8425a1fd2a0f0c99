// `smtpprobe ingest tlsrpt PATH...|-`: reads SMTP TLS reports (RFC 8460: JSON, .gz, or a mail
// carrying one), stores each new report once (organization + report id) and records a finding
// for every policy with failed sessions (monitor/ingest/reports/tlsrpt_ingest.hpp). With
// --json: one JSON line per policy, one per malformed document, and a last {"summary": {...}}
// line (web/API.md, "Ingest JSON lines").
// Exit: 0 done; 1 a new finding (TLS failures at our MX); 2 usage; 3 unreadable path or store.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/reports/tlsrpt_ingest.hpp"
#include "monitor/store/tlsrpt_store.hpp"
#include "probe/printable.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace smtpprobe::cli {

namespace {

using nlohmann::json;

struct TlsrptArgs {
    std::vector<std::string> paths;
    bool dry_run = false;
};

json text(const std::string& s)
{
    return json(printable(s, 2000));
}

json policy_json(const ingest::IngestedTlsPolicy& p)
{
    json mx = json::array();
    for (const std::string& host : p.policy.mx_hosts) {
        mx.push_back(text(host));
    }
    json failures = json::array();
    for (const ingest::TlsFailure& f : p.policy.failures) {
        failures.push_back({{"result_type", text(f.result_type)},
                            {"sending_mta_ip", text(f.sending_mta_ip)},
                            {"receiving_mx_hostname", text(f.receiving_mx_hostname)},
                            {"receiving_ip", text(f.receiving_ip)},
                            {"failed_session_count", f.failed_session_count},
                            {"failure_reason_code", text(f.failure_reason_code)},
                            {"additional_information", text(f.additional_information)}});
    }
    return json{{"file", text(p.origin)},
                {"organization", text(p.report.organization)},
                {"report_id", text(p.report.report_id)},
                {"begin", text(p.report.start)},
                {"end", text(p.report.end)},
                {"policy_domain", text(p.policy.policy_domain)},
                {"policy_type", text(p.policy.policy_type)},
                {"mx_host", mx},
                {"successful", p.policy.successful},
                {"failed", p.policy.failed},
                {"failure_details", failures},
                {"new", p.fresh}};
}

int run_ingest_tlsrpt(const TlsrptArgs& args, Context& ctx)
{
    const config::Config config = load_effective_config(ctx.global);
    std::unique_ptr<store::Database> db;
    if (!args.dry_run) {
        db = std::make_unique<store::Database>(monitor_db_path(ctx.global, config));
    }
    ingest::TlsrptIngester ingester(db.get());
    const bool as_json = ctx.global.json;
    std::uint64_t failing_policies = 0;
    auto on_policy = [&](const ingest::IngestedTlsPolicy& p) {
        failing_policies += p.policy.failed > 0 ? 1 : 0;
        if (as_json) {
            std::cout << policy_json(p).dump(-1, ' ', false, json::error_handler_t::replace)
                      << "\n";
        }
    };
    auto on_malformed = [&](const std::string& origin, const std::string& why) {
        if (as_json) {
            std::cout << json{{"file", text(origin)}, {"malformed", text(why)}}.dump() << "\n";
        }
    };
    for (const std::string& path : args.paths) {
        try {
            ingester.ingest(path, on_policy, on_malformed);
        } catch (const ingest::SourceError& e) {
            throw IncompleteError(e.what());
        }
    }
    const ingest::ReportIngestStats& s = ingester.stats();
    if (as_json) {
        std::cout << json{{"summary",
                           {{"read", s.read},
                            {"new", s.fresh},
                            {"malformed", s.malformed},
                            {"skipped", s.skipped},
                            {"policies", s.records},
                            {"sessions", s.messages},
                            {"failing_policies", failing_policies},
                            {"findings", s.findings}}}}
                         .dump()
                  << "\n";
    } else if (ctx.global.verbosity >= 0) {
        std::cout << "ingest tlsrpt: " << s.read << " reports read, " << s.fresh << " new, "
                  << s.skipped << " already stored, " << s.malformed << " malformed (skipped); "
                  << s.records << " policies, " << s.messages << " sessions, " << failing_policies
                  << " policies with failures; " << s.findings << " new findings"
                  << (s.findings > 0 ? " (smtpprobe status shows them)" : "") << "\n";
        for (const std::string& sample : s.malformed_samples) {
            std::cout << "  malformed: " << printable(sample, 400) << "\n";
        }
    }
    const bool found = db ? s.findings > 0 : failing_policies > 0;
    return found ? k_exit_finding : k_exit_ok;
}

} // namespace

void add_ingest_tlsrpt_command(CLI::App& ingest, Context& ctx)
{
    auto args = std::make_shared<TlsrptArgs>();
    CLI::App* cmd = ingest.add_subcommand(
        "tlsrpt", "SMTP TLS reports (RFC 8460): JSON, .gz, or mails carrying them (a message "
                  "file, an mbox, a Maildir, a folder), or - for stdin");
    cmd->fallthrough();
    cmd->add_option("paths", args->paths, "PATH...|-")->required();
    cmd->add_flag("--dry-run", args->dry_run, "parse only; store nothing");
    cmd->footer("Incremental: a report already stored (same organization and report id) is "
                "skipped.\nExit codes: 0 done; 1 TLS failures at your MX (a new finding);\n"
                "            2 usage error; 3 unreadable path or database error.");
    cmd->parse_complete_callback(
        [args, &ctx]() { ctx.action = [args, &ctx]() { return run_ingest_tlsrpt(*args, ctx); }; });
}

} // namespace smtpprobe::cli
