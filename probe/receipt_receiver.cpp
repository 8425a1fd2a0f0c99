// A bounded SMTP receiver for DSNs coming back to us (see receipt_receiver.hpp).
#include "probe/receipt_receiver.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace smtpprobe::probe {

namespace {

constexpr std::size_t k_max_line = 4096;
constexpr std::size_t k_max_message = 1024 * 1024;
constexpr std::size_t k_max_messages = 20;
constexpr int k_command_timeout_ms = 30'000;

// Reads one CRLF (or LF) line into line; false on EOF, error, overlong line or deadline.
class LineReader {
public:
    LineReader(int fd, const std::atomic<bool>& stopping) : m_fd(fd), m_stopping(stopping) {}

    bool read(std::string& line)
    {
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(k_command_timeout_ms);
        for (;;) {
            std::size_t nl = m_buffer.find('\n');
            if (nl != std::string::npos) {
                line.assign(m_buffer, 0, nl);
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                m_buffer.erase(0, nl + 1);
                return true;
            }
            if (m_buffer.size() > k_max_line || m_stopping.load() ||
                std::chrono::steady_clock::now() > deadline) {
                return false;
            }
            pollfd p{m_fd, POLLIN, 0};
            int ready = ::poll(&p, 1, 100);
            if (ready < 0 && errno != EINTR) {
                return false;
            }
            if (ready <= 0) {
                continue;
            }
            char chunk[2048];
            ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                return false;
            }
            m_buffer.append(chunk, static_cast<std::size_t>(n));
        }
    }

private:
    int m_fd;
    const std::atomic<bool>& m_stopping;
    std::string m_buffer;
};

void send_line(int fd, const std::string& line)
{
    std::string wire = line + "\r\n";
    (void)::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL);
}

// "<a@b> SIZE=1" -> "a@b"
std::string angle_address(const std::string& text)
{
    std::size_t open = text.find('<');
    std::size_t close = text.find('>', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos) {
        return {};
    }
    return text.substr(open + 1, close - open - 1);
}

bool starts_with_nocase(const std::string& line, const char* word)
{
    std::size_t n = std::strlen(word);
    return line.size() >= n && ::strncasecmp(line.c_str(), word, n) == 0;
}

} // namespace

bool split_listen_address(const std::string& text, std::string& host, int& port)
{
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) {
        return false;
    }
    host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    std::string digits = text.substr(colon + 1);
    if (digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    port = std::stoi(digits); // digits only, at most 5: cannot throw
    return port > 0 && port < 65536;
}

ReceiptReceiver::ReceiptReceiver(const std::string& host, int port, std::string hostname)
    : m_hostname(std::move(hostname))
{
    sockaddr_storage address{};
    socklen_t length = 0;
    int family = AF_INET;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<std::uint16_t>(port));
        length = sizeof *v4;
    } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        family = AF_INET6;
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<std::uint16_t>(port));
        length = sizeof *v6;
    } else {
        throw std::runtime_error("--receive: '" + host + "' is not an IP address");
    }
    m_listen_fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (m_listen_fd < 0 ||
        ::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(m_listen_fd, 8) != 0) {
        std::string why = std::strerror(errno);
        if (m_listen_fd >= 0) {
            ::close(m_listen_fd);
        }
        throw std::runtime_error("--receive: cannot listen on " + host + ":" +
                                 std::to_string(port) + ": " + why);
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
    m_port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                     : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
    m_thread = std::thread([this] { serve(); });
}

ReceiptReceiver::~ReceiptReceiver()
{
    m_stopping = true;
    if (m_thread.joinable()) {
        m_thread.join();
    }
    if (m_listen_fd >= 0) {
        ::close(m_listen_fd);
    }
}

std::vector<ReceiptReceiver::Message> ReceiptReceiver::messages() const
{
    std::lock_guard lock(m_mutex);
    return m_messages;
}

void ReceiptReceiver::serve()
{
    while (!m_stopping.load()) {
        pollfd p{m_listen_fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        session(fd);
        ::close(fd);
    }
}

void ReceiptReceiver::session(int fd)
{
    LineReader reader(fd, m_stopping);
    send_line(fd, "220 " + m_hostname + " ESMTP smtpprobe receipt receiver");
    Message current;
    std::string line;
    while (reader.read(line)) {
        if (starts_with_nocase(line, "EHLO")) {
            send_line(fd, "250-" + m_hostname + "\r\n250-8BITMIME\r\n250 SIZE 1048576");
        } else if (starts_with_nocase(line, "HELO")) {
            send_line(fd, "250 " + m_hostname);
        } else if (starts_with_nocase(line, "MAIL FROM:")) {
            current = Message{};
            current.envelope_from = angle_address(line);
            send_line(fd, "250 2.1.0 Ok");
        } else if (starts_with_nocase(line, "RCPT TO:")) {
            if (current.recipients.size() < 100) {
                current.recipients.push_back(angle_address(line));
            }
            send_line(fd, "250 2.1.5 Ok");
        } else if (starts_with_nocase(line, "DATA")) {
            send_line(fd, "354 End data with <CR><LF>.<CR><LF>");
            bool complete = false;
            while (reader.read(line)) {
                if (line == ".") {
                    complete = true;
                    break;
                }
                if (!line.empty() && line.front() == '.') {
                    line.erase(0, 1);
                }
                if (current.content.size() + line.size() + 2 <= k_max_message) {
                    current.content.append(line).append("\r\n");
                }
            }
            if (!complete) {
                return;
            }
            current.received_at = std::chrono::system_clock::now();
            {
                std::lock_guard lock(m_mutex);
                if (m_messages.size() < k_max_messages) {
                    m_messages.push_back(std::move(current));
                }
            }
            current = Message{};
            send_line(fd, "250 2.0.0 Ok: received");
        } else if (starts_with_nocase(line, "QUIT")) {
            send_line(fd, "221 2.0.0 Bye");
            return;
        } else if (starts_with_nocase(line, "RSET") || starts_with_nocase(line, "NOOP")) {
            send_line(fd, "250 2.0.0 Ok");
        } else {
            send_line(fd, "502 5.5.2 Command not implemented");
        }
    }
}

} // namespace smtpprobe::probe
