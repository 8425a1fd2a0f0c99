// `smtpprobe ingest dmarc PATH...|-`: reads DMARC aggregate reports (XML, .gz, .zip, or mails
// carrying them: a message file, an mbox, a Maildir, a folder, stdin), stores each new report
// once (org + report id), hands what it proves to the evidence stream and records its
// findings (monitor/ingest/reports/dmarc_ingest.hpp). With --json: one JSON line per record,
// one per malformed document, and a last {"summary": {...}} line (web/API.md, "Ingest JSON
// lines"); otherwise a summary per reporter.
// Exit: 0 done; 1 a finding (spoofing of our domain, our IPs failing alignment); 2 usage;
// 3 unreadable path or database error.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/reports/dmarc_ingest.hpp"
#include "monitor/store/dmarc_store.hpp"
#include "probe/printable.hpp"
#include "probe/text/utc_time.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

namespace smtpprobe::cli {

namespace {

using nlohmann::json;

struct DmarcArgs {
    std::vector<std::string> paths;
    bool dry_run = false;
};

json text(const std::string& s)
{
    return json(printable(s, 2000));
}

json record_json(const ingest::IngestedDmarcRecord& r)
{
    const ingest::DmarcRecord& rec = r.record;
    json dkim_auth = json::array();
    for (const auto& d : rec.dkim_results) {
        dkim_auth.push_back({{"domain", text(d.domain)},
                             {"selector", text(d.selector)},
                             {"result", text(d.result)}});
    }
    json spf_auth = json::array();
    for (const auto& s : rec.spf_results) {
        spf_auth.push_back(
            {{"domain", text(s.domain)}, {"scope", text(s.scope)}, {"result", text(s.result)}});
    }
    json reasons = json::array();
    for (const auto& reason : rec.reasons) {
        reasons.push_back({{"type", text(reason.type)}, {"comment", text(reason.comment)}});
    }
    return json{{"file", text(r.origin)},
                {"org", text(r.org)},
                {"report_id", text(r.report.report_id)},
                {"format", r.report.format},
                {"begin", format_utc(r.report.begin)},
                {"end", format_utc(r.report.end)},
                {"policy_domain", text(r.report.policy.domain)},
                {"scope", text(r.scope)},
                {"source_ip", text(rec.source_ip)},
                {"ours", r.ours},
                {"count", rec.count},
                {"disposition", text(rec.disposition)},
                {"dkim", text(rec.dkim)},
                {"spf", text(rec.spf)},
                {"reasons", reasons},
                {"header_from", text(rec.header_from)},
                {"envelope_from", text(rec.envelope_from)},
                {"envelope_to", text(rec.envelope_to)},
                {"dkim_auth", dkim_auth},
                {"spf_auth", spf_auth},
                {"new", r.fresh}};
}

int run_ingest_dmarc(const DmarcArgs& args, Context& ctx)
{
    const config::Config config = load_effective_config(ctx.global);
    std::unique_ptr<store::Database> db;
    if (!args.dry_run) {
        db = std::make_unique<store::Database>(monitor_db_path(ctx.global, config));
    }
    ingest::DmarcIngester ingester(db.get(), config);
    const bool as_json = ctx.global.json;
    // Per reporter scope: messages from our IPs, and how many passed DMARC.
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> ours_by_scope;
    auto on_record = [&](const ingest::IngestedDmarcRecord& r) {
        if (as_json) {
            std::cout << record_json(r).dump(-1, ' ', false, json::error_handler_t::replace)
                      << "\n";
        }
        if (r.ours) {
            auto& [messages, passed] = ours_by_scope[r.scope];
            messages += r.record.count;
            passed += r.record.dkim == "pass" || r.record.spf == "pass" ? r.record.count : 0;
        }
    };
    auto on_malformed = [&](const std::string& origin, const std::string& why) {
        if (as_json) {
            std::cout << json{{"file", text(origin)}, {"malformed", text(why)}}.dump() << "\n";
        }
    };
    for (const std::string& path : args.paths) {
        try {
            ingester.ingest(path, on_record, on_malformed);
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
                            {"records", s.records},
                            {"messages", s.messages},
                            {"evidence", s.evidence},
                            {"findings", s.findings}}}}
                         .dump()
                  << "\n";
    } else if (ctx.global.verbosity >= 0) {
        std::cout << "ingest dmarc: " << s.read << " reports read, " << s.fresh << " new, "
                  << s.skipped << " already stored, " << s.malformed << " malformed (skipped); "
                  << s.records << " records, " << s.messages << " messages; " << s.evidence
                  << " evidence, " << s.findings << " new findings"
                  << (s.findings > 0 ? " (smtpprobe status shows them)" : "") << "\n";
        for (const auto& [scope, counts] : ours_by_scope) {
            std::cout << "  " << printable(scope, 80) << ": " << counts.first
                      << " messages from our IPs, "
                      << (counts.first > 0 ? counts.second * 100 / counts.first : 0)
                      << "% passed DMARC\n";
        }
        if (config.identities.empty()) {
            std::cout << "  no [[identity]] configured: no record is known to be ours, so no "
                         "evidence or finding was made\n";
        }
        for (const std::string& sample : s.malformed_samples) {
            std::cout << "  malformed: " << printable(sample, 400) << "\n";
        }
    }
    return s.findings > 0 ? k_exit_finding : k_exit_ok;
}

} // namespace

void add_ingest_dmarc_command(CLI::App& ingest, Context& ctx)
{
    auto args = std::make_shared<DmarcArgs>();
    CLI::App* cmd = ingest.add_subcommand(
        "dmarc", "DMARC aggregate reports: XML, .gz, .zip, or mails carrying them (a message "
                 "file, an mbox, a Maildir, a folder), or - for stdin");
    cmd->fallthrough();
    cmd->add_option("paths", args->paths, "PATH...|-")->required();
    cmd->add_flag("--dry-run", args->dry_run, "parse only; store nothing");
    cmd->footer("Incremental: a report already stored (same org and report id) is skipped.\n"
                "Exit codes: 0 done; 1 a new finding (spoofing of your domain, your IPs failing "
                "alignment);\n            2 usage error; 3 unreadable path or database error.");
    cmd->parse_complete_callback(
        [args, &ctx]() { ctx.action = [args, &ctx]() { return run_ingest_dmarc(*args, ctx); }; });
}

} // namespace smtpprobe::cli
