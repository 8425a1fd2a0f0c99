// The parts of one cron tick (run_tick.hpp), each in its own file: ingest (logs, bounces),
// probes, DNSBL. Each part does only what is due, records its own rows and evidence, and
// reports what it did in one PartResult; a part that fails says why and the tick goes on.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/config/config.hpp"
#include "monitor/evidence/policy.hpp"
#include "monitor/status/iso_time.hpp"
#include "monitor/store/database.hpp"

#include <optional>
#include <string>

namespace smtpprobe::monitor {

struct PartResult {
    std::string name;
    bool ran = false;   // something was due and done
    bool ok = true;     // false: the part failed (exit 3, detail says why)
    std::string detail; // one line for the report; peer text in it already through printable()
};

struct TickContext {
    store::Database& db;
    const config::Config& config;
    const classify::Classifier& classifier;
    std::string dns_server; // "" = the config's, else the system resolver
    Clock::time_point now;
    bool force = false;    // ignore the schedule (run every probe and check now)
    evidence::OurIps ours; // the configured identities (evidence attribution)
    std::string snds_url;  // "" = the config's [snds] url (tests point it at a local server)
};

PartResult ingest_logs(TickContext& tick);
PartResult ingest_bounces(TickContext& tick);
// Why a configured [[bounce]] path cannot be a bounce source: it does not exist, or it is a
// folder that is no Maildir and holds no message file; nullopt when it can be read.
std::optional<std::string> bounce_source_problem(const std::string& path);
PartResult run_due_probes(TickContext& tick);
PartResult run_due_dnsbl(TickContext& tick);
PartResult run_due_hygiene(TickContext& tick);
PartResult run_due_snds(TickContext& tick);

} // namespace smtpprobe::monitor
