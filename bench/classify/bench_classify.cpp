// Benchmark driver: classifies a mix of reply texts (one per line, optionally "host<TAB>text")
// in a loop on one thread for a fixed CPU time and prints classifications per second, the rule
// count, a checksum of the reasons (so nothing is optimized away) and peak memory.
//
// Usage: bench_classify MIXFILE [SECONDS]
//        bench_classify --dump MIXFILE   (every result field of every reply, one line each:
//                                         to diff the classifier's behaviour before/after)
//        bench_classify --labelled FILE [-v]  (agreement with labels: "reason<TAB>host<TAB>text")
#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/outcome_class.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <time.h>
#include <vector>

namespace {

// CPU time of this thread: on a shared machine the wall clock counts other processes' time.
double thread_cpu_seconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Prints every field of each reply's result (the mix again with several inputs per text).
int dump(const std::vector<std::pair<std::string, std::string>>& mix)
{
    const auto& classifier = smtpprobe::classify::Classifier::builtin();
    for (const auto& [host, text] : mix) {
        for (const std::string_view command : {"", "RCPT", "DATA"}) {
            smtpprobe::classify::Input input;
            input.text = text;
            input.remote_host = host;
            input.command = command;
            const smtpprobe::classify::Result r = classifier.classify(input);
            std::cout << r.provider << '|' << r.scope << '|' << r.reason << '|' << r.about << '|'
                      << r.provider_code << '|' << r.status << '|'
                      << (r.reply_code ? *r.reply_code : 0) << '|' << r.named_ip << '|' << r.meaning
                      << '|' << r.action << '|' << r.rule_id << '|' << r.source << '|'
                      << (smtpprobe::evidence::outcome_class(r) ==
                          smtpprobe::evidence::OutcomeClass::blocked)
                      << r.is_success() << '\n';
        }
    }
    return 0;
}

// Agreement with labels: each line "reason<TAB>host<TAB>text"; prints how many replies get
// the labelled reason, and each miss when verbose.
int agreement(const char* path, bool verbose)
{
    std::ifstream in(path);
    const auto& classifier = smtpprobe::classify::Classifier::builtin();
    std::size_t total = 0;
    std::size_t agreed = 0;
    std::string line;
    while (std::getline(in, line)) {
        const auto tab1 = line.find('\t');
        const auto tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
        if (tab2 == std::string::npos) {
            continue;
        }
        smtpprobe::classify::Input input;
        const std::string host = line.substr(tab1 + 1, tab2 - tab1 - 1);
        const std::string text = line.substr(tab2 + 1);
        input.remote_host = host;
        input.text = text;
        const std::string_view got = classifier.classify(input).reason;
        ++total;
        if (got == std::string_view(line).substr(0, tab1)) {
            ++agreed;
        } else if (verbose) {
            std::cout << "  want " << line.substr(0, tab1) << " got " << got << ": "
                      << text.substr(0, 120) << "\n";
        }
    }
    if (total == 0) {
        std::cerr << "bench_classify: no labelled replies in " << path << "\n";
        return 2;
    }
    std::cout << "smtpprobe agreement: " << agreed << "/" << total << " = "
              << 100.0 * static_cast<double>(agreed) / static_cast<double>(total) << "%\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc > 2 && std::string_view(argv[1]) == "--labelled") {
        return agreement(argv[2], argc > 3 && std::string_view(argv[3]) == "-v");
    }
    const bool dumping = argc > 2 && std::string_view(argv[1]) == "--dump";
    if (dumping) {
        ++argv;
        --argc;
    }
    if (argc < 2) {
        std::cerr << "usage: bench_classify MIXFILE [SECONDS]\n";
        return 2;
    }
    const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
    std::ifstream in(argv[1]);
    std::vector<std::pair<std::string, std::string>> mix; // host, text
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) {
            continue;
        }
        const auto tab = line.find('\t');
        if (tab == std::string::npos) {
            mix.emplace_back("", line);
        } else {
            mix.emplace_back(line.substr(0, tab), line.substr(tab + 1));
        }
    }
    if (mix.empty()) {
        std::cerr << "bench_classify: no replies in " << argv[1] << "\n";
        return 2;
    }
    if (dumping) {
        return dump(mix);
    }
    using smtpprobe::classify::Classifier;
    const Classifier& classifier = Classifier::builtin();
    std::size_t total_bytes = 0;
    for (const auto& [host, text] : mix) {
        total_bytes += text.size();
    }
    // Warm up (DFA states are built lazily on first use).
    std::map<std::string, int> reasons;
    for (const auto& [host, text] : mix) {
        smtpprobe::classify::Input input;
        input.text = text;
        input.remote_host = host;
        ++reasons[std::string(classifier.classify(input).reason)];
    }
    std::size_t count = 0;
    std::size_t checksum = 0;
    const double cpu_start = thread_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    double cpu = 0;
    auto now = start;
    while (cpu < seconds) {
        for (const auto& [host, text] : mix) {
            smtpprobe::classify::Input input;
            input.text = text;
            input.remote_host = host;
            checksum += classifier.classify(input).reason.size();
        }
        count += mix.size();
        cpu = thread_cpu_seconds() - cpu_start;
    }
    now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::cout << "replies in mix:        " << mix.size() << " (mean " << total_bytes / mix.size()
              << " bytes)\n";
    std::cout << "rules:                 " << classifier.rule_count() << "\n";
    std::cout << "classifications:       " << count << " in " << cpu << " s CPU, " << elapsed
              << " s wall (checksum " << checksum << ")\n";
    std::cout << "classifications/s:     " << static_cast<long long>(count / cpu)
              << " (per CPU-second of one thread)\n";
    std::cout << "classifications/s wall:" << static_cast<long long>(count / elapsed) << "\n";
    std::cout << "peak RSS:              " << usage.ru_maxrss / 1024 << " MiB\n";
    std::cout << "reasons in mix:       ";
    for (const auto& [reason, n] : reasons) {
        std::cout << " " << reason << "=" << n;
    }
    std::cout << "\n";
    return 0;
}
