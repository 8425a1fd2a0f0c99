// Parse+classify throughput of the log ingester on one core, without the database:
//   bench_ingest_parse FILE
// Prints lines, deliveries, wall and CPU seconds, lines/s of each and peak RSS (MB) as one
// line of key=value (CPU time is the single-core figure on a shared, loaded machine).
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/log_ingester.hpp"

#include <chrono>
#include <cstdio>
#include <sys/resource.h>

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_ingest_parse FILE\n");
        return 2;
    }
    using namespace smtpprobe;
    ingest::IngestOptions options;
    options.timezone = "UTC";
    const classify::Classifier& classifier = classify::Classifier::builtin();
    auto start = std::chrono::steady_clock::now();
    ingest::LogIngester ingester(nullptr, classifier, options);
    std::uint64_t blocks = 0;
    ingester.on_delivery([&](const ingest::DeliveryEvent& event) {
        blocks += event.decision.verdict == evidence::Verdict::blocked ? 1 : 0;
    });
    ingester.ingest(argv[1]);
    ingester.finish();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const ingest::IngestCounts& counts = ingester.counts();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto tv = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    double cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    std::printf(
        "lines=%llu deliveries=%llu blocks=%llu unparseable=%llu seconds=%.3f "
        "lines_per_second=%.0f cpu_seconds=%.3f lines_per_cpu_second=%.0f "
        "peak_rss_mb=%.1f\n",
        static_cast<unsigned long long>(counts.lines),
        static_cast<unsigned long long>(counts.deliveries), static_cast<unsigned long long>(blocks),
        static_cast<unsigned long long>(counts.unparseable), seconds,
        static_cast<double>(counts.lines) / seconds, cpu, static_cast<double>(counts.lines) / cpu,
        static_cast<double>(usage.ru_maxrss) / 1024.0);
    return 0;
}
