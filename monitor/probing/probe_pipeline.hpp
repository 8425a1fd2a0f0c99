// The ONE probe pipeline: what `smtpprobe probe`, `smtpprobe --dsn-test` and the probe part of
// `smtpprobe run` share, from a request to stored evidence, so they cannot drift apart:
//
//   1. the minimum interval per receiver (DESIGN.md: a receiver is never probed more often):
//      a request that names one (a config receiver, or an explicit target that is one) is
//      skipped, with the reason, when it was probed from the same IP less than min_interval
//      ago; then the fleet's claim (fleet_claim.hpp): skipped when any node started a session
//      to the receiver less than its fleet_min_interval ago or fleet_concurrency sessions to
//      it are open, else a lease is taken until the session ends; only a person's explicit
//      `--ignore-min-interval` lifts both (the claim is still recorded);
//   2. DATA only with permission (--send, or allow_data = true on the receiver);
//   3. the HELO name: the one given on the command line, else the PTR name of the source IP
//      (what a receiver checks), else the identity's configured HELO, else the host name;
//   4. one TLS client context (probe::make_client_tls_context) and one envid format
//      (probe::new_envid) for every session;
//   5. the sessions, concurrently (probe::run_batch, per-receiver limits);
//   6. one classification of the decisive reply (the shared classifier), stored with the run;
//   7. the evidence through the policy and the one writer, in the run's transaction, and the
//      receiver's last-probe time for the interval;
//   8. the episode fold (explicit: the pipeline writes, then folds).
//
// Contract: returns one outcome per request, in request order. Nothing is stored when db is
// null or options.store is false (--no-store: the history is read for the intervals only). Peer
// text is stored raw (bounded by the reader) and escaped by views.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/config/config.hpp"
#include "monitor/evidence/policy.hpp"
#include "monitor/store/database.hpp"
#include "probe/batch_runner.hpp"
#include "probe/session.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::probing {

// One session to run.
struct ProbeRequest {
    std::string target;   // "outlook.com", "mx.example.com:2525", "[2001:db8::1]:25"
    std::string receiver; // the config receiver's name; "" for a target that is none
    std::chrono::seconds min_interval{0}; // 0: no minimum (a target that is no receiver)
    // The receiver's fleet-wide claim (fleet_claim.hpp): the least time between two sessions
    // to it from any node and IP, and the most open at once; fleet_concurrency 0: no claim.
    std::chrono::seconds fleet_min_interval{0};
    int fleet_concurrency = 0;
    bool allow_data = false; // the receiver's allow_data
    std::string rcpt;        // RCPT TO; "" -> postmaster@<target domain>
    // Who probes: the source address to bind (identity IP or --source; none: the kernel's
    // choice), an explicit HELO (--helo, wins), the identity's configured HELO and MAIL FROM.
    std::string source_ip;
    std::string helo;
    std::string configured_helo;
    std::string from;
};

struct PipelineOptions {
    probe::Script script;
    probe::TlsMode tls = probe::TlsMode::opportunistic;
    probe::Limits limits;
    dns::IpFamily family = dns::IpFamily::any;
    bool pipelining = true;
    bool send = false;                // --send: DATA allowed for every request
    bool store = true;                // false (--no-store): db is read for intervals only
    bool ignore_min_interval = false; // a person's explicit override
    std::string dns_server;           // "" = the system resolver
    probe::BatchOptions batch;
};

struct ProbeOutcome {
    ProbeRequest request;
    // Why the request was not run ("" when it ran): the minimum interval, or a usage problem.
    std::string skipped;
    // Skipped because its time has not come (the minimum interval, or the fleet's claim):
    // no failure, the next tick tries again.
    bool waiting = false;
    std::optional<probe::ProbeResult> result;
    classify::Result classification; // of the decisive reply (empty without one)
    evidence::Decision decision;     // what the evidence policy made of it
    std::int64_t run_id = 0;         // probe_run id, 0 when not stored
    std::string envid;               // the ENVID the session used
};

// The HELO rule (3): given, else PTR of source, else configured, else this host's name.
// ptr: the PTR name of the source IP ("" when none or unknown).
std::string helo_name(const std::string& given, const std::string& ptr,
                      const std::string& configured);

// The key of a receiver's minimum interval per source IP ("probe:<receiver>:<ip>"), shared
// with `run`'s schedule.
std::string interval_key(const std::string& receiver, const std::string& source_ip);

// Runs the requests. Throws std::invalid_argument for a bad option the caller should report
// as a usage error (a script refused for DATA, a bad target, a bad --dns-server).
std::vector<ProbeOutcome>
run_probes(store::Database* db, const config::Config& config,
           const std::vector<ProbeRequest>& requests, const PipelineOptions& options,
           std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

} // namespace smtpprobe::probing
