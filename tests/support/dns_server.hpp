// A real DNS server for tests: dnsmasq on 127.0.0.1 at a free UDP port, serving only what the
// test gives it (records as dnsmasq flags) and authoritative (NXDOMAIN) for the given local
// domains; it never forwards anywhere. Started in the constructor (which waits until it
// answers), stopped with its process group in the destructor.
//
// Also: SilentUdpPort, a UDP port that receives and never answers (for timeout tests).
#pragma once

#include "tests/support/child_process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::test {

// A UDP port on 127.0.0.1 that nothing is bound to right now.
int free_udp_port();

class DnsServer {
public:
    // records: dnsmasq options such as "--mx-host=example.test,mx1.example.test,10",
    // "--host-record=mx1.example.test,192.0.2.1,2001:db8::1", "--txt-record=name,text",
    // "--address=/2.0.0.127.zen.test/127.0.0.2", "--ptr-record=...".
    // local_domains: answered from records only, NXDOMAIN otherwise (default "test").
    // Throws std::runtime_error if dnsmasq does not start answering within a few seconds.
    explicit DnsServer(std::vector<std::string> records,
                       std::vector<std::string> local_domains = {"test"},
                       std::vector<std::string> extra_options = {});
    ~DnsServer();
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

    int port() const { return m_port; }
    // "127.0.0.1:PORT", as given to --dns-server.
    std::string address() const;
    // dnsmasq's own log (for failure messages).
    std::string log() const;

private:
    TempDir m_dir;
    int m_port = 0;
    std::unique_ptr<Daemon> m_daemon;
};

// A bound UDP socket on 127.0.0.1 that never reads: queries sent there get no answer (and no
// ICMP "port unreachable" either), so a resolver pointed at it times out.
class SilentUdpPort {
public:
    SilentUdpPort();
    ~SilentUdpPort();
    SilentUdpPort(const SilentUdpPort&) = delete;
    SilentUdpPort& operator=(const SilentUdpPort&) = delete;
    int port() const { return m_port; }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

private:
    int m_fd = -1;
    int m_port = 0;
};

// True once a DNS server at 127.0.0.1:port answers any query, false after timeout.
bool wait_for_dns(int port, std::chrono::milliseconds timeout);

} // namespace smtpprobe::test
