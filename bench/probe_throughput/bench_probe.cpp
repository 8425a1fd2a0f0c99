// bench_probe_throughput PORT SESSIONS CONCURRENCY SCRIPT [lockstep]: runs SESSIONS sessions
// of SCRIPT (block-check or deliver) against 127.0.0.1:PORT, CONCURRENCY at once, on one
// io_context and one thread, like `smtpprobe probe` does (`lockstep`: as --no-pipelining);
// prints one line:
//   script=... sessions=... concurrency=... completed=... seconds=... rate=... peak_rss_mb=...
//   pipelined=yes|no session_ms_p50=... p99=... max=...
#include "probe/batch_runner.hpp"
#include "probe/tls_facts.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace smtpprobe::probe;

int main(int argc, char** argv)
{
    if (argc != 5 && !(argc == 6 && std::string(argv[5]) == "lockstep")) {
        std::fprintf(stderr, "usage: %s PORT SESSIONS CONCURRENCY SCRIPT [lockstep]\n", argv[0]);
        return 2;
    }
    std::string port = argv[1];
    std::size_t sessions = std::strtoul(argv[2], nullptr, 10);
    std::size_t concurrency = std::strtoul(argv[3], nullptr, 10);
    std::string script_name = argv[4];

    // Every session holds one socket: make room for the concurrency asked for.
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);

    boost::asio::io_context io;
    SessionOptions options;
    auto script = builtin_script(script_name);
    if (!script) {
        std::fprintf(stderr, "unknown script %s\n", script_name.c_str());
        return 2;
    }
    options.script = *script;
    options.values = {"bench@source.test", "rcpt@sink.test", "bench.test", "bench.1"};
    options.tls = TlsMode::off;
    options.pipelining = argc == 5;
    std::string error;
    options.limits.set("all=60", &error);
    options.limits.set("session=120", &error);
    std::vector<Target> targets;
    auto target = parse_target("127.0.0.1:" + port, 25, &error);
    targets.assign(sessions, *target);
    BatchOptions batch;
    batch.concurrency = concurrency;
    batch.per_receiver = concurrency; // one receiver here: the global limit is the one measured
    std::size_t completed = 0;
    std::size_t pipelined = 0;
    std::size_t in_flight_peak = 0;
    auto start = std::chrono::steady_clock::now();
    auto results = run_batch(io, targets, nullptr, options, batch, [&](const ProbeResult& r) {
        completed += r.outcome == Outcome::completed ? 1 : 0;
        pipelined += r.pipelined ? 1 : 0;
    });
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    (void)in_flight_peak;
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    // Session durations: a stall (a delayed ACK, a lost wake-up) shows in the tail.
    std::vector<double> ms;
    ms.reserve(results.size());
    for (const auto& r : results) {
        ms.push_back(
            std::chrono::duration<double, std::milli>(r.finished_at - r.started_at).count());
    }
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        return ms.empty() ? 0.0 : ms[static_cast<std::size_t>(q * (ms.size() - 1))];
    };
    std::string first_failure;
    for (const auto& r : results) {
        if (r.outcome != Outcome::completed) {
            first_failure = std::string(outcome_name(r.outcome)) + " at " + stage_name(r.stage) +
                            ": " + r.error;
            break;
        }
    }
    std::printf("script=%s sessions=%zu concurrency=%zu completed=%zu seconds=%.3f rate=%.1f "
                "peak_rss_mb=%.1f pipelined=%s session_ms_p50=%.2f p99=%.2f max=%.2f%s%s\n",
                script_name.c_str(), sessions, concurrency, completed, seconds,
                static_cast<double>(sessions) / seconds, static_cast<double>(u.ru_maxrss) / 1024.0,
                pipelined == sessions ? "yes"
                : pipelined == 0      ? "no"
                                      : "some",
                at(0.5), at(0.99), at(1.0),
                first_failure.empty() ? "" : " first_failure=", first_failure.c_str());
    return completed == sessions ? 0 : 1;
}
