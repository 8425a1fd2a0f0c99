// `smtpprobe ingest log FILE...|- [--format F] [--timezone TZ] [--year Y]`: reads MTA logs
// into the history (monitor/ingest/log_ingester.hpp) and prints a summary, or with --json one
// line per delivery attempt and a last summary line. A progress bar goes to stderr when it is
// a terminal. Exit: 0 fine, 1 when a block the log shows is still open after the fold (a
// history of blocks that ended is not a finding) or backscatter receipts, 2 usage (also a
// folder, or a file in which no line is a mail log's), 3 a file could not be read (missing,
// unreadable, a truncated or corrupt .gz) or the database failed.
#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/classify/classifier.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "monitor/evidence/state_query.hpp"
#include "monitor/ingest/delivery_summary.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/store/database.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace smtpprobe::cli {

namespace {

struct IngestLogArgs {
    std::vector<std::string> files;
    std::string format = "auto";
    std::string timezone;
    int year = 0;
};

// A one-line progress bar on stderr: percent, bytes, lines/s, ETA. Redrawn at most 5 times a
// second.
class ProgressBar {
public:
    void update(std::uint64_t done, std::uint64_t total, std::uint64_t lines)
    {
        auto now = std::chrono::steady_clock::now();
        if (now - m_last < std::chrono::milliseconds(200) && done < total) {
            return;
        }
        m_last = now;
        double seconds = std::chrono::duration<double>(now - m_start).count();
        double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0;
        double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
        if (fraction > 1) {
            fraction = 1;
        }
        double eta = fraction > 0 ? seconds * (1 - fraction) / fraction : 0;
        int filled = static_cast<int>(fraction * 30);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(30, '.');
        std::fprintf(stderr, "\r[%s] %5.1f%% %8.1f/%.1f MB %9.0f lines/s ETA %4.0fs ", bar.c_str(),
                     fraction * 100, static_cast<double>(done) / 1e6,
                     static_cast<double>(total) / 1e6, rate, eta);
        m_drawn = true;
    }
    ~ProgressBar()
    {
        if (m_drawn) {
            std::fprintf(stderr, "\r%*s\r", 100, "");
        }
    }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point m_last{};
    bool m_drawn = false;
};

int run_ingest_log(const IngestLogArgs& args, const Context& ctx)
{
    ingest::IngestOptions options;
    auto format = ingest::parse_log_format(args.format);
    if (!format) {
        throw UsageError("--format: expected auto, sendmail, postfix, exim or opensmtpd, not '" +
                         printable(args.format, 40) + "'");
    }
    options.format = *format;
    options.timezone = args.timezone;
    if (args.year != 0) {
        if (args.year < 1970 || args.year > 9999) {
            throw UsageError("--year: expected a year like 2026");
        }
        options.year = args.year;
    }
    std::uint64_t total = 0;
    for (const std::string& file : args.files) {
        struct stat st {};
        if (file == "-") {
            continue;
        }
        if (::stat(file.c_str(), &st) != 0) {
            throw IncompleteError("ingest log " + printable(file, 300) +
                                  ": cannot read: " + std::strerror(errno));
        }
        if (S_ISDIR(st.st_mode)) {
            throw UsageError("ingest log " + printable(file, 300) +
                             ": is a folder, not a log file (give its files, like " +
                             printable(file, 200) + "/maillog*)");
        }
        total += static_cast<std::uint64_t>(st.st_size);
    }
    const config::Config config = load_effective_config(ctx.global);
    options.ours = evidence::OurIps::of(config);
    options.node = monitor::node_name(config);
    options.unnamed_ip = config.default_ip();
    store::Database db(monitor_db_path(ctx.global, config));
    std::unique_ptr<ingest::LogIngester> ingester;
    try {
        ingester =
            std::make_unique<ingest::LogIngester>(&db, classify::Classifier::current(), options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--timezone: ") + e.what());
    }
    ingest::DeliverySummary summary;
    bool json = ctx.global.json;
    std::set<std::string> blocked_scopes; // scopes this log shows blocking us
    ingester->on_delivery([&](const ingest::DeliveryEvent& event) {
        summary.add(event);
        if (event.decision.recorded && event.decision.verdict == evidence::Verdict::blocked) {
            blocked_scopes.insert(event.decision.scope);
        }
        if (json) {
            std::cout << json_text(ingest::delivery_json(event)) << '\n';
        }
    });
    std::unique_ptr<ProgressBar> bar;
    if (::isatty(STDERR_FILENO) && ctx.global.verbosity >= 0) {
        bar = std::make_unique<ProgressBar>();
        ingester->on_progress([&](std::uint64_t done, std::uint64_t all,
                                  std::uint64_t lines) { bar->update(done, all, lines); },
                              total);
    }
    std::vector<std::string> unrecognised; // files with lines and none of them a log's
    for (const std::string& file : args.files) {
        const ingest::IngestCounts before = ingester->counts();
        try {
            ingester->ingest(file);
        } catch (const ingest::ReadError& e) {
            bar.reset();
            ingester->finish();
            episodes::update_episodes(db, config); // what was read before the error counts
            throw IncompleteError(e.what());
        }
        const ingest::IngestCounts& after = ingester->counts();
        const std::uint64_t lines = after.lines - before.lines;
        const std::uint64_t known =
            (after.deliveries - before.deliveries) + (after.messages - before.messages) +
            (after.receipts - before.receipts) + (after.foreign - before.foreign);
        if (lines > 0 && known == 0) {
            unrecognised.push_back(file + ": none of its " + std::to_string(lines) +
                                   " lines is a mail log line (sendmail, Postfix, Exim, "
                                   "OpenSMTPD, or syslog); is it the MTA's log?");
        }
    }
    ingester->finish();
    episodes::update_episodes(db, config); // the explicit fold step of ingest
    bar.reset();
    const ingest::IngestCounts& counts = ingester->counts();
    if (json) {
        std::cout << json_text(summary.to_json(counts)) << '\n';
    } else if (ctx.global.verbosity >= 0) {
        std::cout << summary.render_text(counts);
    }
    if (ctx.global.verbosity > 0 && !counts.samples.empty()) {
        std::cerr << "unparseable lines (samples, escaped):\n";
        for (const std::string& sample : counts.samples) {
            std::cerr << "  " << sample << "\n";
        }
    }
    std::cout.flush();
    if (!std::cout) {
        throw IncompleteError("cannot write the output");
    }
    if (!unrecognised.empty()) {
        for (std::size_t i = 0; i + 1 < unrecognised.size(); ++i) {
            std::cerr << "smtpprobe: ingest log: " << printable(unrecognised[i], 600) << "\n";
        }
        throw UsageError("ingest log: " + printable(unrecognised.back(), 600));
    }
    // A finding is a block that is still open (the history may show blocks that ended long
    // ago: those are history, not findings), or backscatter receipts.
    bool open_block = false;
    if (!blocked_scopes.empty()) {
        for (const evidence::ScopeState& s : evidence::read_state(db, config).scopes) {
            open_block = open_block ||
                         (s.state == evidence::Verdict::blocked && blocked_scopes.count(s.scope));
        }
    }
    return open_block || counts.receipts > 0 ? k_exit_finding : k_exit_ok;
}

} // namespace

void add_ingest_log_command(CLI::App& parent, Context& ctx)
{
    auto args = std::make_shared<IngestLogArgs>();
    CLI::App* cmd = parent.add_subcommand(
        "log", "read MTA logs (sendmail, Postfix, Exim; plain, rotated, .gz, journalctl -o json; "
               "- for stdin) into the history; re-runs read only new lines");
    cmd->add_option("files", args->files, "log files, or - for stdin")->required();
    cmd->add_option("--format", args->format,
                    "auto (per line), sendmail, postfix, exim or opensmtpd");
    cmd->add_option("--timezone", args->timezone,
                    "zone of stamps without one (default $TZ, else the system's)");
    cmd->add_option("--year", args->year,
                    "year of classic syslog stamps (default: inferred from the file's mtime)");
    cmd->callback(
        [args, &ctx] { ctx.action = [args, &ctx] { return run_ingest_log(*args, ctx); }; });
}

} // namespace smtpprobe::cli
