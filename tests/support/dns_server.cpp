// See dns_server.hpp. The readiness probe is a hand-made DNS query (header + one question)
// sent over UDP until any reply comes back.
#include "tests/support/dns_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace smtpprobe::test {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(int port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// Binds a UDP socket to 127.0.0.1:0 and returns it with its port.
int bound_udp_socket(int* port)
{
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        throw std::runtime_error("socket(UDP) failed");
    }
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        close(fd);
        throw std::runtime_error("bind(UDP 127.0.0.1:0) failed");
    }
    *port = ntohs(address.sin_port);
    return fd;
}

// A query for "ready.invalid." type A, id 0x5053.
std::string readiness_query()
{
    std::string packet("\x50\x53\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    packet += "\x05ready\x07invalid";
    packet += std::string("\x00\x00\x01\x00\x01", 5);
    return packet;
}

} // namespace

int free_udp_port()
{
    int port = 0;
    close(bound_udp_socket(&port));
    return port;
}

bool wait_for_dns(int port, std::chrono::milliseconds timeout)
{
    const auto deadline = Clock::now() + timeout;
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        return false;
    }
    const sockaddr_in server = loopback(port);
    const std::string query = readiness_query();
    bool answered = false;
    while (!answered && Clock::now() < deadline) {
        sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&server),
               sizeof server);
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) == 1 && (p.revents & POLLIN) != 0) {
            char buffer[512];
            answered = recv(fd, buffer, sizeof buffer, 0) > 0;
        }
        if (!answered) {
            // ICMP "unreachable" comes back as an error on the next recv; pace the retries.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    close(fd);
    return answered;
}

DnsServer::DnsServer(std::vector<std::string> records, std::vector<std::string> local_domains,
                     std::vector<std::string> extra_options)
{
    // The UDP port was free a moment ago; dnsmasq also binds TCP on it, which may be taken:
    // then it exits and we try another port.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = free_udp_port();
        std::vector<std::string> argv = {"dnsmasq",
                                         "-k",
                                         "--conf-file=/dev/null",
                                         "--pid-file=",
                                         "--port=" + std::to_string(m_port),
                                         "--listen-address=127.0.0.1",
                                         "--bind-interfaces",
                                         "--no-resolv",
                                         "--no-hosts",
                                         "--no-negcache",
                                         "--log-facility=-"};
        for (const std::string& domain : local_domains) {
            argv.push_back("--local=/" + domain + "/");
        }
        argv.insert(argv.end(), records.begin(), records.end());
        argv.insert(argv.end(), extra_options.begin(), extra_options.end());
        m_daemon = std::make_unique<Daemon>(argv, m_dir.file("dnsmasq.log"));
        if (wait_for_dns(m_port, std::chrono::milliseconds(5000))) {
            return;
        }
        m_daemon->stop();
    }
    throw std::runtime_error("dnsmasq did not start answering: " + log());
}

DnsServer::~DnsServer()
{
    if (m_daemon) {
        m_daemon->stop();
    }
}

std::string DnsServer::address() const
{
    return "127.0.0.1:" + std::to_string(m_port);
}

std::string DnsServer::log() const
{
    return read_file(m_dir.file("dnsmasq.log"));
}

SilentUdpPort::SilentUdpPort()
{
    m_fd = bound_udp_socket(&m_port);
}

SilentUdpPort::~SilentUdpPort()
{
    close(m_fd);
}

} // namespace smtpprobe::test
