// Benchmark driver for bench/dnsbl/run.sh, against a DNS server on loopback serving zones
// z1.test .. z<zones>.test (see run.sh).
//   bench_dnsbl throughput SERVER NAMES_FILE WINDOW  -> lookups/s over every name in the file,
//                                                       WINDOW queries in flight, one Resolver
//   bench_dnsbl fanout SERVER ZONES RUNS [RTT_MS]     -> median time of one A query, and of
//                                                       check_dnsbl(1 IP, ZONES zones) with and
//                                                       without test entries/TXT; with RTT_MS
//                                                       the queries go through a relay that
//                                                       delays each answer (a remote resolver)
// Prints "key value" lines for run.sh, and the peak RSS.
#include "monitor/dnsbl/checker.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sys/resource.h>
#include <thread>

namespace asio = boost::asio;
using namespace smtpprobe;
using Clock = std::chrono::steady_clock;

namespace {

int to_int(const std::string& text)
{
    int value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

dns::ResolverOptions options_for(const std::string& server)
{
    dns::ResolverOptions options;
    std::string error;
    options.server = dns::parse_server_address(server, &error);
    if (!options.server) {
        throw std::runtime_error(error);
    }
    options.timeout = std::chrono::milliseconds(2000);
    return options;
}

long peak_rss_kib()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

int throughput(const std::string& server, const std::string& names_file, int window)
{
    std::vector<std::string> names;
    std::ifstream in(names_file);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            names.push_back(line.substr(0, line.find(' ')));
        }
    }
    asio::io_context io;
    dns::Resolver resolver(io.get_executor(), options_for(server));
    std::size_t answered = 0, failed = 0;
    for (int w = 0; w < window; ++w) {
        asio::co_spawn(
            io,
            [&, w]() -> asio::awaitable<void> {
                for (std::size_t i = static_cast<std::size_t>(w); i < names.size();
                     i += static_cast<std::size_t>(window)) {
                    dns::Answer answer = co_await resolver.query_a(names[i]);
                    const bool ok =
                        answer.status == dns::Status::ok || answer.status == dns::Status::nxdomain;
                    (ok ? answered : failed) += 1;
                }
            },
            asio::detached);
    }
    const auto start = Clock::now();
    io.run();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    std::cout << "queries " << names.size() << "\n"
              << "answered " << answered << "\n"
              << "failed " << failed << "\n"
              << "seconds " << seconds << "\n"
              << "lookups_per_second " << static_cast<long>(names.size() / seconds) << "\n"
              << "peak_rss_kib " << peak_rss_kib() << "\n";
    return failed == 0 ? 0 : 1;
}

// A UDP relay on 127.0.0.1 that forwards every query to the server and sends each answer back
// after `delay`, as a resolver one round trip away would. Runs on its own thread.
class DelayRelay {
public:
    DelayRelay(const std::string& server, std::chrono::milliseconds delay)
        : m_front(m_io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          m_back(m_io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          m_delay(delay)
    {
        auto parsed = dns::parse_server_address(server, nullptr);
        m_server = asio::ip::udp::endpoint(parsed->address, parsed->port);
        read_front();
        read_back();
        m_thread = std::thread([this] { m_io.run(); });
    }
    ~DelayRelay()
    {
        m_io.stop();
        m_thread.join();
    }
    std::string address() const
    {
        return "127.0.0.1:" + std::to_string(m_front.local_endpoint().port());
    }

private:
    void read_front()
    {
        m_front.async_receive_from(
            asio::buffer(m_query), m_client, [this](boost::system::error_code ec, std::size_t n) {
                if (!ec) {
                    m_back.send_to(asio::buffer(m_query.data(), n), m_server);
                }
                read_front();
            });
    }
    void read_back()
    {
        m_back.async_receive(
            asio::buffer(m_answer), [this](boost::system::error_code ec, std::size_t n) {
                if (!ec) {
                    auto packet = std::make_shared<std::string>(m_answer.data(), n);
                    auto timer = std::make_shared<asio::steady_timer>(m_io, m_delay);
                    timer->async_wait([this, packet, timer](boost::system::error_code) {
                        m_front.send_to(asio::buffer(*packet), m_client);
                    });
                }
                read_back();
            });
    }

    asio::io_context m_io;
    asio::ip::udp::socket m_front;
    asio::ip::udp::socket m_back;
    asio::ip::udp::endpoint m_server;
    asio::ip::udp::endpoint m_client;
    std::array<char, 4096> m_query{};
    std::array<char, 4096> m_answer{};
    std::chrono::milliseconds m_delay;
    std::thread m_thread;
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

int fanout(const std::string& direct_server, int zone_count, int runs, int rtt_ms)
{
    std::unique_ptr<DelayRelay> relay;
    std::string server = direct_server;
    if (rtt_ms > 0) {
        relay = std::make_unique<DelayRelay>(direct_server, std::chrono::milliseconds(rtt_ms));
        server = relay->address();
    }
    asio::io_context io;
    dns::Resolver resolver(io.get_executor(), options_for(server));
    std::vector<dnsbl::DnsblZone> zones;
    for (int z = 1; z <= zone_count; ++z) {
        dnsbl::DnsblZone zone;
        zone.name = "z" + std::to_string(z);
        zone.zone = zone.name + ".test";
        zones.push_back(zone);
    }
    const std::vector<asio::ip::address> ips{asio::ip::make_address("192.0.2.99")};
    dnsbl::DnsblOptions a_only;
    a_only.test_entries = false;
    a_only.txt = false;
    std::vector<double> single, full, bare, sequential;
    std::size_t listed = 0;
    auto measure = [&]() -> asio::awaitable<void> {
        for (int r = 0; r < runs; ++r) {
            auto t0 = Clock::now();
            co_await resolver.query_a("99.2.0.192.z1.test");
            auto t1 = Clock::now();
            dnsbl::DnsblReport report = co_await dnsbl::check_dnsbl(resolver, ips, zones);
            auto t2 = Clock::now();
            co_await dnsbl::check_dnsbl(resolver, ips, zones, a_only);
            auto t3 = Clock::now();
            if (r < 3) { // 20 zones one after the other, as a naive checker would
                for (const auto& zone : zones) {
                    co_await resolver.query_a("99.2.0.192." + zone.zone);
                }
                sequential.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t3).count());
            }
            single.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            full.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
            bare.push_back(std::chrono::duration<double, std::milli>(t3 - t2).count());
            for (const auto& check : report.ips[0].zones) {
                listed += check.result == dnsbl::Listing::listed ? 1 : 0;
            }
        }
    };
    asio::co_spawn(io, measure(), asio::detached);
    io.run();
    std::cout << "single_query_ms " << median(single) << "\n"
              << "fanout_full_ms " << median(full) << "\n"
              << "fanout_a_only_ms " << median(bare) << "\n"
              << "sequential_a_ms " << median(sequential) << "\n"
              << "fanout_listed " << listed / static_cast<std::size_t>(runs) << "\n"
              << "peak_rss_kib " << peak_rss_kib() << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() == 4 && args[0] == "throughput") {
            return throughput(args[1], args[2], to_int(args[3]));
        }
        if ((args.size() == 4 || args.size() == 5) && args[0] == "fanout") {
            return fanout(args[1], to_int(args[2]), to_int(args[3]),
                          args.size() == 5 ? to_int(args[4]) : 0);
        }
        std::cerr << "usage: bench_dnsbl throughput SERVER NAMES_FILE WINDOW\n"
                     "       bench_dnsbl fanout SERVER ZONES RUNS [RTT_MS]\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "bench_dnsbl: " << e.what() << "\n";
        return 3;
    }
}
