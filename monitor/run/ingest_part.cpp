// The ingest parts of a tick: new lines of the configured logs and new bounce messages, read
// through the ingesters' own libraries (they keep cursors and write delivery/bounce, finding
// and evidence rows).
#include "monitor/ingest/bounce/bounce_ingest.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/run/run_parts.hpp"
#include "probe/printable.hpp"

#include <filesystem>

namespace smtpprobe::monitor {

std::optional<std::string> bounce_source_problem(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
        return "does not exist (" + (ec ? ec.message() : std::string("No such file or directory")) +
               ")";
    }
    if (!fs::is_directory(status)) {
        return std::nullopt;
    }
    // A Maildir (cur/ or new/) may be empty; a plain folder needs a message file in it.
    if (fs::is_directory(fs::path(path) / "cur", ec) ||
        fs::is_directory(fs::path(path) / "new", ec)) {
        return std::nullopt;
    }
    fs::directory_iterator it(path, ec);
    if (ec) {
        return "cannot read the folder (" + ec.message() + ")";
    }
    for (const fs::directory_entry& entry : it) {
        if (entry.is_regular_file(ec)) {
            return std::nullopt;
        }
    }
    return std::string("is an empty folder (no message file, and no Maildir cur/ or new/)");
}

PartResult ingest_logs(TickContext& tick)
{
    PartResult result{"logs", false, true, ""};
    if (tick.config.logs.empty()) {
        result.detail = "no [[log]] configured";
        return result;
    }
    std::vector<std::string> failures;
    std::uint64_t lines = 0;
    std::uint64_t deliveries = 0;
    for (const config::LogSource& log : tick.config.logs) {
        ingest::IngestOptions options;
        options.ours = tick.ours;
        options.node = node_name(tick.config);
        options.unnamed_ip = tick.config.default_ip();
        if (auto format = ingest::parse_log_format(log.format)) {
            options.format = *format;
        }
        try {
            ingest::LogIngester ingester(&tick.db, tick.classifier, options);
            ingester.ingest(log.path);
            ingester.finish();
            lines += ingester.counts().lines;
            deliveries += ingester.counts().new_deliveries;
            result.ran = true;
        } catch (const std::exception& e) {
            failures.push_back(printable(log.path, 200) + ": " + printable(e.what(), 300));
        }
    }
    result.detail =
        std::to_string(lines) + " new lines, " + std::to_string(deliveries) + " new deliveries";
    if (!failures.empty()) {
        result.ok = false;
        for (const std::string& f : failures) {
            result.detail += "; " + f;
        }
    }
    return result;
}

PartResult ingest_bounces(TickContext& tick)
{
    PartResult result{"bounces", false, true, ""};
    if (tick.config.bounces.empty()) {
        result.detail = "no [[bounce]] configured";
        return result;
    }
    std::vector<std::string> failures;
    std::uint64_t stored = 0;
    ingest::BounceIngestOptions bounce_options;
    bounce_options.ours = tick.ours;
    bounce_options.node = node_name(tick.config);
    bounce_options.unnamed_ip = tick.config.default_ip();
    ingest::BounceIngester ingester(&tick.db, tick.classifier, bounce_options);
    for (const config::BounceSource& source : tick.config.bounces) {
        try {
            // A missing path or an empty folder that is no Maildir is a mistyped path more
            // often than an empty mailbox: say so rather than read "0 messages".
            if (auto problem = bounce_source_problem(source.path)) {
                failures.push_back(printable(source.path, 200) + ": " + *problem);
                continue;
            }
            ingester.ingest(source.path);
            result.ran = true;
        } catch (const std::exception& e) {
            failures.push_back(printable(source.path, 200) + ": " + printable(e.what(), 300));
        }
    }
    stored = ingester.stats().stored;
    result.detail = std::to_string(stored) + " new bounce messages";
    if (!failures.empty()) {
        result.ok = false;
        for (const std::string& f : failures) {
            result.detail += "; " + f;
        }
    }
    return result;
}

} // namespace smtpprobe::monitor
