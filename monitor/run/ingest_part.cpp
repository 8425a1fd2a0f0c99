// The ingest parts of a tick: new lines of the configured logs and new bounce messages, read
// through the ingesters' own libraries (they keep cursors and write delivery/bounce, finding
// and evidence rows).
#include "monitor/ingest/bounce/bounce_ingest.hpp"
#include "monitor/ingest/log_ingester.hpp"
#include "monitor/run/run_parts.hpp"
#include "probe/printable.hpp"

#include <filesystem>

namespace smtpprobe::monitor {

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
    ingest::BounceIngester ingester(&tick.db, tick.classifier, bounce_options);
    for (const config::BounceSource& source : tick.config.bounces) {
        try {
            std::error_code ec;
            if (!std::filesystem::exists(source.path, ec)) {
                // An empty mailbox that does not exist yet is not a failure.
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
