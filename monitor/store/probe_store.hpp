// Writes probe results into probe_run / probe_step (schema/001_init.sql): one run row with the
// host that answered, TLS facts, extensions, outcome, decisive reply and its classification;
// one step row per command/reply or event, in order, with elapsed milliseconds.
//
// Contract: a run is stored whole or not at all (one transaction: the caller's, or its own);
// every value bound; peer text stored as received (it was bounded by the reader).
#pragma once

#include "monitor/store/database.hpp"
#include "probe/probe_result.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace smtpprobe::store {

// What the layers above add to a run: the classification of the decisive reply and the
// script-specific verdict/detail (dsn-test).
struct ProbeAnnotations {
    std::string provider;
    std::string scope;
    std::string reason;
    std::string provider_code;
    std::string verdict;
    std::string detail_json; // "" for none
    std::string node;        // the node that probed (schema 018); "" = NULL
};

// Stores one result in its own transaction; returns the probe_run id.
std::int64_t store_probe_result(Database& db, const probe::ProbeResult& result,
                                const ProbeAnnotations& annotations = {});
// The same inside the caller's transaction (the probe pipeline writes the run and its
// evidence together).
std::int64_t insert_probe_result(Database& db, const probe::ProbeResult& result,
                                 const ProbeAnnotations& annotations = {});

// Sets the script-specific verdict and detail of a stored run (dsn-test's, known only after
// its closed loop).
void annotate_probe_run(Database& db, std::int64_t run_id, const std::string& verdict,
                        const std::string& detail_json);

// A stored run, read back (tests and `status`).
struct StoredProbeRun {
    std::int64_t id = 0;
    std::string target;
    std::string script;
    std::string outcome;
    std::string stage;
    std::optional<std::int64_t> reply_code;
    std::string verdict;
    std::string tls_verify_error;
    std::optional<std::int64_t> tls_verified;
    std::int64_t step_count = 0;
};
std::vector<StoredProbeRun> load_probe_runs(Database& db);

} // namespace smtpprobe::store
