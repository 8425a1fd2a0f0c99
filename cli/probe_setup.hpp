// What `probe` and `dsn-test` share on the command line: the session options (--source, -4/-6,
// --helo, --from, --rcpt, --tls, --port, --timeout, --send, --no-store, --no-pipelining,
// --ignore-min-interval) and turning them, with the config, into requests and options of the
// one probe pipeline (monitor/probing/probe_pipeline.hpp), which runs, classifies, stores and
// folds exactly as `run` does.
#pragma once

#include "cli/context.hpp"
#include "monitor/config/config.hpp"
#include "monitor/probing/probe_pipeline.hpp"
#include "monitor/store/database.hpp"

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace smtpprobe::cli {

struct SessionCliOptions {
    std::string source;
    bool ipv4 = false;
    bool ipv6 = false;
    std::string helo;
    std::string from;
    std::string rcpt;
    std::string tls = "auto";
    int port = 25;
    std::vector<std::string> timeouts; // STAGE=SECONDS
    bool send = false;
    bool no_store = false;
    bool no_pipelining = false;
    bool ignore_min_interval = false;
};

// Registers the session options on app (a subcommand, or an option group of the main app).
void add_session_options(CLI::App& app, SessionCliOptions& options);

// The pipeline options of the flags and script. Throws UsageError with one clear line for
// anything the user can fix (a script with DATA without --send, a bad --timeout, -4 with -6,
// a bad --dns-server).
probing::PipelineOptions pipeline_options(const Context& ctx, const config::Config& config,
                                          const SessionCliOptions& options, probe::Script script);

// The request for a target a person named. A target that is a configured receiver (its
// target, domain or mx) keeps that receiver's minimum interval, recipient and allow_data. It
// probes from --source, else from the config's only identity; the identity of that IP gives
// the configured HELO and sender. Throws UsageError for a bad --source or option value.
probing::ProbeRequest explicit_request(const config::Config& config,
                                       const SessionCliOptions& options, const std::string& target);

// The requests of every enabled config receiver x its identities (what `run` probes), with
// the command line's --helo/--from/--rcpt/--source overriding.
std::vector<probing::ProbeRequest> config_requests(const config::Config& config,
                                                   const SessionCliOptions& options);

// The history: where results go, or with --no-store the history read for the minimum
// intervals only (read-only; null when there is none).
std::unique_ptr<store::Database> probe_database(const Context& ctx, const config::Config& config,
                                                const SessionCliOptions& options);

} // namespace smtpprobe::cli
