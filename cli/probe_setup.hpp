// What `probe` and `dsn-test` share: the session options on the command line (--source, -4/-6,
// --helo, --from, --rcpt, --tls, --port, --timeout, --send, --no-store), turning them into
// probe::SessionOptions, running the sessions, and storing the results. The classification of
// the decisive reply is added at ONE call site (classify_decisive in probe_setup.cpp).
#pragma once

#include "cli/context.hpp"
#include "monitor/store/probe_store.hpp"
#include "probe/batch_runner.hpp"
#include "probe/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
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
};

// Registers the session options on app (a subcommand, or an option group of the main app).
void add_session_options(CLI::App& app, SessionCliOptions& options);

// Everything a run needs, alive for its duration.
struct ProbeSetup {
    boost::asio::io_context io;
    boost::asio::ssl::context tls_context;
    std::unique_ptr<dns::Resolver> resolver;
    probe::SessionOptions session;
    std::vector<probe::Target> targets;

    ProbeSetup();
};

// Validates the options and prepares a run of script against targets (HOST[:PORT] texts).
// Throws UsageError with one clear line for anything the user can fix.
std::unique_ptr<ProbeSetup> prepare_probe(const Context& ctx, const SessionCliOptions& options,
                                          probe::Script script,
                                          const std::vector<std::string>& targets);

// CLASSIFICATION CALL SITE: what the decisive reply means (provider, scope, reason, code).
store::ProbeAnnotations classify_decisive(const probe::ProbeResult& result);

// Stores results unless --no-store (opens the database once). Throws StoreError.
void store_results(const Context& ctx, const SessionCliOptions& options,
                   const std::vector<probe::ProbeResult>& results,
                   const std::vector<store::ProbeAnnotations>& annotations);

} // namespace smtpprobe::cli
