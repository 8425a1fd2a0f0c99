// ScriptedServer: blocking accept/read loop on one thread with poll() timeouts so it stops
// promptly; run_dialogue: a minimal SMTP responder with a fault injected at step n.
#include "tests/support/scripted_server.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <chrono>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace smtpprobe::test {

bool ServerConnection::send(const std::string& bytes)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        if (m_stopping.load()) {
            return false;
        }
        pollfd p{m_fd, POLLOUT, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t n = ::send(m_fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::optional<std::string> ServerConnection::read_line(int timeout_ms)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto lf = m_pending.find('\n');
        if (lf != std::string::npos) {
            std::string line = m_pending.substr(0, lf);
            m_pending.erase(0, lf + 1);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            return line;
        }
        if (m_stopping.load() || std::chrono::steady_clock::now() > deadline ||
            m_pending.size() > 100000) {
            return std::nullopt;
        }
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        char buf[4096];
        ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n <= 0) {
            return std::nullopt;
        }
        m_pending.append(buf, static_cast<std::size_t>(n));
    }
}

bool ServerConnection::has_input(int wait_ms)
{
    if (!m_pending.empty()) {
        return true;
    }
    pollfd p{m_fd, POLLIN, 0};
    return ::poll(&p, 1, wait_ms) > 0;
}

bool ServerConnection::pause(int ms)
{
    for (int waited = 0; waited < ms; waited += 20) {
        if (m_stopping.load()) {
            return false;
        }
        ::usleep(20000);
    }
    return true;
}

void ServerConnection::reset()
{
    linger l{1, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(m_fd);
    m_fd = -1;
}

ScriptedServer::ScriptedServer(Handler handler) : m_handler(std::move(handler))
{
    m_listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0; // the kernel picks a free port
    if (::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(m_listen_fd, 64) != 0) {
        throw std::runtime_error("scripted server: cannot listen on loopback");
    }
    socklen_t len = sizeof addr;
    ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
}

ScriptedServer::~ScriptedServer()
{
    m_stopping = true;
    m_thread.join();
    ::close(m_listen_fd);
}

void ScriptedServer::serve()
{
    while (!m_stopping.load()) {
        pollfd p{m_listen_fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        int fd = ::accept(m_listen_fd, nullptr, nullptr);
        if (fd < 0) {
            continue;
        }
        ++m_connections;
        ServerConnection c(fd, m_stopping);
        m_handler(c);
        if (c.fd() >= 0) {
            ::close(c.fd());
        }
    }
}

namespace {

std::string verb_of(const std::string& line)
{
    std::string verb;
    for (char ch : line.substr(0, line.find(' '))) {
        verb += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return verb;
}

// Applies the fault; returns true when the dialogue must end.
bool fault(ServerConnection& c, const DialogueSpec& spec)
{
    switch (spec.fault) {
    case DialogueSpec::Fault::none:
        return false;
    case DialogueSpec::Fault::close:
        return true;
    case DialogueSpec::Fault::reset:
        c.reset();
        return true;
    case DialogueSpec::Fault::hang:
        while (c.pause(100)) {
        }
        return true;
    case DialogueSpec::Fault::reply_421:
        c.send("421 4.3.2 closing\r\n");
        return true;
    }
    return true;
}

} // namespace

void run_dialogue(ServerConnection& c, const DialogueSpec& spec)
{
    int answered = 0;
    if (spec.fail_after == 0) {
        fault(c, spec);
        return;
    }
    if (!c.send(spec.banner)) {
        return;
    }
    bool in_data = false;
    while (auto line = c.read_line()) {
        if (in_data) {
            if (*line == ".") {
                in_data = false;
                c.send("250 2.0.0 queued\r\n");
            }
            continue;
        }
        // Step 0 is the banner; command number fail_after gets the fault instead of its reply.
        if (spec.fail_after > 0 && answered + 1 == spec.fail_after) {
            if (fault(c, spec)) {
                return;
            }
        }
        std::string verb = verb_of(*line);
        ++answered;
        auto it = spec.replies.find(verb);
        if (it != spec.replies.end()) {
            c.send(it->second);
        } else if (verb == "EHLO") {
            c.send("250-fake.test\r\n250-" + spec.ehlo_extensions + "\r\n");
        } else if (verb == "DATA") {
            c.send("354 go ahead\r\n");
            in_data = true;
        } else if (verb == "QUIT") {
            c.send("221 2.0.0 bye\r\n");
            return;
        } else {
            c.send("250 2.0.0 ok\r\n");
        }
    }
}

} // namespace smtpprobe::test
