// See loopback_receiver.hpp.
#include "tests/support/loopback_receiver.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

namespace smtpprobe::test {

const char* const k_s3140_reply =
    "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list (S3140). You "
    "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
    "[AM4PEPF00027A6C.eurprd04.prod.outlook.com 2026-12-05T08:00:00.000Z 08DC1234ABCD5678]";
const char* const k_ms606_reply =
    "550 5.7.606 Access denied, banned sending IP [127.0.0.1]. To request removal from this "
    "list please visit https://sender.office.com/ and follow the directions. For more "
    "information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) "
    "[DB5PEPF00014B8F.eurprd04.prod.outlook.com]";
const char* const k_tss04_reply =
    "421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to unexpected volume or "
    "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes";

namespace {

int bind_listener(const std::string& address, int port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 32) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool read_line(int fd, std::string& buffer, std::string& line, const std::atomic<bool>& stopping)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        std::size_t nl = buffer.find('\n');
        if (nl != std::string::npos) {
            line = buffer.substr(0, nl);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            buffer.erase(0, nl + 1);
            return true;
        }
        if (buffer.size() > 65536 || stopping.load() ||
            std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        char chunk[4096];
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

void send_line(int fd, const std::string& text)
{
    std::string wire = text + "\r\n";
    (void)::send(fd, wire.data(), wire.size(), MSG_NOSIGNAL);
}

bool verb(const std::string& line, const char* word)
{
    std::size_t n = std::char_traits<char>::length(word);
    return line.size() >= n && ::strncasecmp(line.c_str(), word, n) == 0;
}

std::string local_part(const std::string& line)
{
    std::size_t open = line.find('<');
    std::size_t at = line.find('@', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || at == std::string::npos) {
        return {};
    }
    std::string lp = line.substr(open + 1, at - open - 1);
    for (char& c : lp) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return lp;
}

std::string address_of(const std::string& line)
{
    std::size_t open = line.find('<');
    std::size_t close = line.find('>', open == std::string::npos ? 0 : open);
    return open == std::string::npos || close == std::string::npos
               ? std::string()
               : line.substr(open + 1, close - open - 1);
}

} // namespace

LoopbackReceiver::LoopbackReceiver()
{
    const char* addresses[] = {ReceiverAddresses::ok, ReceiverAddresses::outlook,
                               ReceiverAddresses::yahoo, ReceiverAddresses::silent};
    for (int attempt = 0; attempt < 20 && m_listen_fds.empty(); ++attempt) {
        int fd = bind_listener(addresses[0], 0);
        if (fd < 0) {
            continue;
        }
        sockaddr_in bound{};
        socklen_t len = sizeof bound;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
        int port = ntohs(bound.sin_port);
        std::vector<int> fds{fd};
        for (std::size_t i = 1; i < std::size(addresses); ++i) {
            int other = bind_listener(addresses[i], port);
            if (other < 0) {
                break;
            }
            fds.push_back(other);
        }
        if (fds.size() == std::size(addresses)) {
            m_listen_fds = fds;
            m_port = port;
        } else {
            for (int f : fds) {
                ::close(f);
            }
        }
    }
    if (m_listen_fds.empty()) {
        throw std::runtime_error("LoopbackReceiver: no port free on every loopback address");
    }
    for (std::size_t i = 0; i < m_listen_fds.size(); ++i) {
        bool silent = i + 1 == m_listen_fds.size();
        int fd = m_listen_fds[i];
        m_threads.emplace_back([this, fd, silent] { serve(fd, silent); });
    }
}

LoopbackReceiver::~LoopbackReceiver()
{
    m_stopping = true;
    for (std::thread& t : m_threads) {
        t.join();
    }
    for (int fd : m_listen_fds) {
        ::close(fd);
    }
    std::lock_guard lock(m_mutex);
    for (int fd : m_held) {
        ::close(fd);
    }
}

std::vector<LoopbackReceiver::Message> LoopbackReceiver::messages() const
{
    std::lock_guard lock(m_mutex);
    return m_messages;
}

bool LoopbackReceiver::wait_for_message_to(const std::string& rcpt,
                                           std::chrono::milliseconds timeout) const
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        for (const Message& m : messages()) {
            if (m.rcpt == rcpt) {
                return true;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

void LoopbackReceiver::serve(int listen_fd, bool silent)
{
    std::vector<std::thread> sessions;
    while (!m_stopping.load()) {
        pollfd p{listen_fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        if (silent) {
            std::lock_guard lock(m_mutex);
            m_held.push_back(fd); // never greets: the MTA's banner timeout
            continue;
        }
        sessions.emplace_back([this, fd] {
            session(fd);
            ::close(fd);
        });
    }
    for (std::thread& t : sessions) {
        t.join();
    }
}

void LoopbackReceiver::session(int fd)
{
    std::string buffer;
    std::string line;
    send_line(fd, "220 mx.receiver.test ESMTP ready");
    Message current;
    bool have_rcpt = false;
    while (read_line(fd, buffer, line, m_stopping)) {
        if (verb(line, "EHLO")) {
            send_line(fd, "250-mx.receiver.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 "
                          "ENHANCEDSTATUSCODES");
        } else if (verb(line, "HELO")) {
            send_line(fd, "250 mx.receiver.test");
        } else if (verb(line, "MAIL")) {
            current = Message{};
            current.from = address_of(line);
            have_rcpt = false;
            send_line(fd, "250 2.1.0 Ok");
        } else if (verb(line, "RCPT")) {
            std::string lp = local_part(line);
            if (lp == "s3140") {
                send_line(fd, k_s3140_reply);
            } else if (lp == "ms606") {
                send_line(fd, k_ms606_reply);
            } else if (lp == "tss04") {
                send_line(fd, k_tss04_reply);
                return; // a 421 closes the session
            } else {
                current.rcpt = address_of(line);
                have_rcpt = true;
                send_line(fd, "250 2.1.5 Ok");
            }
        } else if (verb(line, "DATA")) {
            if (!have_rcpt) {
                send_line(fd, "554 5.5.1 Error: no valid recipients");
                continue;
            }
            send_line(fd, "354 End data with <CR><LF>.<CR><LF>");
            while (read_line(fd, buffer, line, m_stopping) && line != ".") {
                if (current.content.size() < 1024 * 1024) {
                    current.content.append(line).append("\r\n");
                }
            }
            {
                std::lock_guard lock(m_mutex);
                m_messages.push_back(current);
            }
            send_line(fd, "250 2.0.0 Ok: queued as ABC123");
        } else if (verb(line, "QUIT")) {
            send_line(fd, "221 2.0.0 Bye");
            return;
        } else if (verb(line, "RSET") || verb(line, "NOOP")) {
            send_line(fd, "250 2.0.0 Ok");
        } else {
            send_line(fd, "502 5.5.2 Error: command not recognized");
        }
    }
}

} // namespace smtpprobe::test
