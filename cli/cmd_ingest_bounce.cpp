// `smtpprobe ingest bounce PATH...|-`: reads bounce messages (a message file, an mbox, a
// Maildir, a folder of messages, or stdin), stores one classified row per recipient as
// evidence, and prints what it found: with --json one JSON line per recipient and a last
// summary line; otherwise a summary grouped by receiver scope and reason (-v: samples).
// Exit: 0 done; 1 a block about our IP/domain was among the recipients; 2 usage; 3 I/O/store.
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/classify/classifier.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/ingest/bounce/bounce_ingest.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/bounce/report_format.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/store/database.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace smtpprobe::cli {

namespace {

struct BounceArgs {
    std::vector<std::string> paths;
    bool dry_run = false;
    bool again = false;
};

nlohmann::json recipient_json(const ingest::IngestedRecipient& r)
{
    using nlohmann::json;
    auto text = [](const std::string& s) { return json(printable(s, 2000)); };
    json line = {
        {"file", text(r.path)},
        {"message_id", text(r.report.message_id)},
        {"kind", ingest::kind_name(r.report.kind)},
        {"recipient", text(r.recipient.recipient)},
        {"action", text(r.recipient.action)},
        {"command", text(r.recipient.command)},
        {"format", std::string(ingest::format_name(r.report.format))},
        {"status", r.classified.status},
        {"reply_code", r.classified.reply_code ? json(*r.classified.reply_code) : json(nullptr)},
        {"diagnostic", text(r.recipient.diagnostic)},
        {"remote_mta", text(r.recipient.remote_mta)},
        {"provider", r.classified.result.provider},
        {"scope", r.classified.result.scope},
        {"reason", r.classified.result.reason},
        {"provider_code", text(r.classified.result.provider_code)},
        {"named_ip", r.classified.named_ip},
        {"time", r.evidence.time.empty() ? json(nullptr) : json(r.evidence.time)},
        {"verdict", r.evidence.decision.recorded && !r.evidence.time.empty()
                        ? json(evidence::name(r.evidence.decision.verdict))
                        : json(nullptr)},
        {"outcome", evidence::name(r.evidence.decision.outcome)},
        {"ip", std::string(r.evidence.decision.ip)},
        {"original_message_id", text(r.report.original.message_id)},
    };
    return line;
}

void print_summary(const ingest::BounceIngestStats& stats, bool json, int verbosity,
                   const std::map<std::pair<std::string, std::string>, std::string>& samples)
{
    if (json) {
        nlohmann::json summary = {
            {"summary", true},
            {"messages", stats.messages},
            {"reports", stats.reports},
            {"recipients", stats.recipients},
            {"already_seen", stats.seen},
            {"malformed", stats.malformed},
            {"stored", stats.stored},
        };
        nlohmann::json kinds = nlohmann::json::object();
        for (const auto& [kind, n] : stats.kinds) {
            kinds[kind] = n;
        }
        summary["kinds"] = kinds;
        nlohmann::json groups = nlohmann::json::array();
        for (const auto& [key, n] : stats.by_scope) {
            groups.push_back({{"scope", key.first}, {"reason", key.second}, {"recipients", n}});
        }
        summary["by_scope"] = groups;
        std::cout << json_text(summary) << "\n";
        return;
    }
    std::cout << "ingest bounce: " << stats.messages << " messages, " << stats.reports
              << " reports, " << stats.recipients << " recipients, " << stats.seen
              << " already seen, " << stats.malformed << " malformed (skipped)\n";
    for (const auto& [kind, n] : stats.kinds) {
        std::cout << "  " << kind << ": " << n << "\n";
    }
    if (!stats.by_scope.empty()) {
        std::cout << "by scope and reason:\n";
    }
    std::string last_scope = "\x01";
    for (const auto& [key, n] : stats.by_scope) {
        if (key.first != last_scope) {
            std::cout << "  "
                      << (key.first.empty() ? "(unknown receiver)" : printable(key.first, 200))
                      << "\n";
            last_scope = key.first;
        }
        std::printf("    %-18s %6llu\n", key.second.empty() ? "(none)" : key.second.c_str(),
                    static_cast<unsigned long long>(n));
        std::fflush(stdout);
        if (verbosity > 0) {
            auto it = samples.find(key);
            if (it != samples.end()) {
                std::cout << "      e.g. " << it->second << "\n";
            }
        }
    }
    if (verbosity > 0 && !stats.malformed_samples.empty()) {
        std::cout << "malformed (samples):\n";
        for (const std::string& sample : stats.malformed_samples) {
            std::cout << "  " << printable(sample, 400) << "\n";
        }
    }
}

int run_ingest_bounce(const BounceArgs& args, Context& ctx)
{
    const config::Config config = load_effective_config(ctx.global);
    std::unique_ptr<store::Database> db;
    if (!args.dry_run) {
        db = std::make_unique<store::Database>(monitor_db_path(ctx.global, config));
    }
    ingest::BounceIngestOptions options;
    options.skip_seen = !args.again;
    options.ours = evidence::OurIps::of(config);
    options.node = monitor::node_name(config);
    options.unnamed_ip = config.default_ip();
    ingest::BounceIngester ingester(db.get(), classify::Classifier::current(), options);
    const bool json = ctx.global.json;
    const bool progress = !json && ctx.global.verbosity >= 0 && isatty(STDERR_FILENO) == 1;
    std::map<std::pair<std::string, std::string>, std::string> samples;
    bool blocked = false;
    auto on_recipient = [&](const ingest::IngestedRecipient& r) {
        blocked = blocked || (r.evidence.decision.recorded && !r.evidence.time.empty() &&
                              r.evidence.decision.verdict == evidence::Verdict::blocked);
        if (json) {
            std::cout << json_text(recipient_json(r)) << "\n";
            return;
        }
        const auto key =
            std::make_pair(r.classified.result.scope, std::string(r.classified.result.reason));
        if (ctx.global.verbosity > 0 && samples.find(key) == samples.end()) {
            samples[key] = printable(r.recipient.recipient, 200) + " " +
                           printable(r.classified.status, 40) + " " +
                           printable(r.recipient.diagnostic, 160);
        }
    };
    std::uint64_t last_shown = 0;
    auto on_progress = [&](const ingest::BounceIngestStats& stats) {
        if (!progress || stats.messages - last_shown < 100) {
            return;
        }
        last_shown = stats.messages;
        const int width = 30;
        const int filled = static_cast<int>((stats.messages / 100) % (width + 1));
        std::fprintf(stderr, "\r[%-*.*s] %llu messages, %llu recipients", width, filled,
                     "##############################",
                     static_cast<unsigned long long>(stats.messages),
                     static_cast<unsigned long long>(stats.recipients));
    };
    for (const std::string& path : args.paths) {
        try {
            ingester.ingest(path, on_recipient, on_progress);
        } catch (const ingest::SourceError& e) {
            if (progress) {
                std::fprintf(stderr, "\r\033[K");
            }
            throw IncompleteError(e.what());
        }
    }
    if (progress) {
        std::fprintf(stderr, "\r\033[K");
    }
    if (db) {
        episodes::update_episodes(*db, config); // the explicit fold step of ingest
    }
    print_summary(ingester.stats(), json, ctx.global.verbosity, samples);
    return blocked ? k_exit_finding : k_exit_ok;
}

} // namespace

void add_ingest_bounce_command(CLI::App& ingest, Context& ctx)
{
    auto args = std::make_shared<BounceArgs>();
    CLI::App* cmd = ingest.add_subcommand(
        "bounce", "bounce messages (RFC 3464 and plain-text), return receipts and ARF "
                  "complaints: a message file, an mbox, a Maildir, a folder, or - for stdin");
    cmd->fallthrough();
    cmd->add_option("paths", args->paths, "PATH...|-")->required();
    cmd->add_flag("--dry-run", args->dry_run, "parse and classify only; store nothing");
    cmd->add_flag("--again", args->again,
                  "re-read messages already ingested (rows are still never duplicated)");
    cmd->footer("Incremental: messages already ingested (same Message-ID and content) are "
                "skipped.\nExit codes: 0 done; 1 a recipient was refused by a block on your IP or "
                "domain;\n            2 usage error; 3 unreadable path or database error.");
    cmd->parse_complete_callback(
        [args, &ctx]() { ctx.action = [args, &ctx]() { return run_ingest_bounce(*args, ctx); }; });
}

} // namespace smtpprobe::cli
