// The SQL of the web's probe views (web/api/probes_api.cpp, /metrics): probe runs newest
// first, one run with its steps, and the last completed probe per target. Reads only;
// nullable columns are std::optional. The writes are in probe_store.hpp.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// One probe_run row as the views show it.
struct ProbeRunView {
    std::int64_t id = 0;
    std::optional<std::string> started_at, finished_at, script, target, mx_host, ip;
    std::optional<std::int64_t> port;
    std::optional<std::string> source_ip, helo, banner;
    std::optional<std::string> extensions; // JSON text
    std::optional<std::string> tls_version, tls_cipher, tls_subject, tls_issuer, tls_not_after;
    std::optional<std::int64_t> tls_verified;
    std::optional<std::string> tls_verify_error, outcome, stage;
    std::optional<std::int64_t> reply_code;
    std::optional<std::string> reply_enhanced, reply_text, provider, scope, reason, provider_code,
        verdict;
    std::optional<std::string> detail; // JSON text
};

// Runs with id < before, of one target and/or scope when given, newest first, at most limit.
std::vector<ProbeRunView> read_probe_runs(Database& db, const std::optional<std::string>& target,
                                          const std::optional<std::string>& scope,
                                          std::int64_t before, std::int64_t limit);
std::optional<ProbeRunView> read_probe_run(Database& db, std::int64_t id);

// One probe_step row.
struct ProbeStepView {
    std::int64_t seq = 0;
    std::string stage;
    std::string kind; // command | event
    std::optional<std::string> command;
    std::optional<std::int64_t> reply_code;
    std::optional<std::string> reply_enhanced;
    std::optional<std::string> reply_text;
    std::int64_t elapsed_ms = 0;
};
// The steps of one run in order.
std::vector<ProbeStepView> read_probe_steps(Database& db, std::int64_t run_id);

// The time of the last completed dialogue of each target (finished_at, else started_at),
// ordered by target.
struct LastProbeSuccess {
    std::string target;
    std::string time;
};
std::vector<LastProbeSuccess> read_last_probe_successes(Database& db);

} // namespace smtpprobe::store
