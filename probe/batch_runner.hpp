// Many probe sessions concurrently on one io_context: at most `concurrency` sessions at once
// overall and `per_receiver` at once per receiver (the first MX host of the route, else the
// target), so a batch never hammers one receiver. SIGINT/SIGTERM cancel the batch: running
// sessions end with outcome cancelled, queued ones are not started, and run() returns once
// everything has drained. No threads.
#pragma once

#include "probe/cancel_signal.hpp"
#include "probe/session.hpp"

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <vector>

namespace smtpprobe::probe {

struct BatchOptions {
    std::size_t concurrency = 100;
    std::size_t per_receiver = 4;
    bool handle_signals = true; // cancel on SIGINT/SIGTERM
};

// Runs one session per target on io (which must not be running) and returns the results in
// target order. on_result (optional) is called as each session finishes, on the io thread.
std::vector<ProbeResult> run_batch(boost::asio::io_context& io, const std::vector<Target>& targets,
                                   dns::Resolver* resolver, const SessionOptions& options,
                                   const BatchOptions& batch,
                                   const std::function<void(const ProbeResult&)>& on_result = {});

// The same with options per target (per_target[i] for targets[i]: each session probes from its
// own identity, HELO and sender). per_target.size() must equal targets.size().
std::vector<ProbeResult> run_batch(boost::asio::io_context& io, const std::vector<Target>& targets,
                                   dns::Resolver* resolver,
                                   const std::vector<SessionOptions>& per_target,
                                   const BatchOptions& batch,
                                   const std::function<void(const ProbeResult&)>& on_result = {});

} // namespace smtpprobe::probe
