// See smtp_dialogue.hpp. Plain sockets with poll() deadlines; reply lines are parsed with
// std::from_chars, never trusting the peer for more than k_max_reply bytes.
#include "tests/support/smtp_dialogue.hpp"

#include <arpa/inet.h>
#include <charconv>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace smtpprobe::test {

namespace {

constexpr std::size_t k_max_reply = 64 * 1024;

} // namespace

SmtpDialogue::SmtpDialogue(int port, std::chrono::milliseconds step_timeout)
    : m_timeout(step_timeout)
{
    m_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(m_fd);
        throw std::runtime_error("smtp_dialogue: connect to 127.0.0.1:" + std::to_string(port) +
                                 " failed");
    }
    m_banner = read_reply();
}

SmtpDialogue::~SmtpDialogue()
{
    close(m_fd);
}

SmtpReply SmtpDialogue::command(const std::string& line)
{
    const std::string data = line + "\r\n";
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = send(m_fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            throw std::runtime_error("smtp_dialogue: send failed for: " + line);
        }
        sent += static_cast<std::size_t>(n);
    }
    return read_reply();
}

SmtpReply SmtpDialogue::read_reply()
{
    const auto deadline = std::chrono::steady_clock::now() + m_timeout;
    SmtpReply reply;
    while (true) {
        const std::size_t eol = m_buffer.find("\r\n");
        if (eol != std::string::npos) {
            const std::string line = m_buffer.substr(0, eol);
            m_buffer.erase(0, eol + 2);
            reply.text += (reply.text.empty() ? "" : "\n") + line;
            int code = 0;
            auto [end, ec] = std::from_chars(
                line.data(), line.data() + std::min<std::size_t>(3, line.size()), code);
            if (ec != std::errc{} || end != line.data() + 3) {
                throw std::runtime_error("smtp_dialogue: malformed reply line: " + line);
            }
            reply.code = code;
            if (line.size() == 3 || line[3] != '-') {
                return reply;
            }
            continue;
        }
        if (m_buffer.size() + reply.text.size() > k_max_reply) {
            throw std::runtime_error("smtp_dialogue: reply longer than 64 KiB");
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd pfd{m_fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
            throw std::runtime_error("smtp_dialogue: timed out waiting for a reply");
        }
        char chunk[4096];
        ssize_t n = recv(m_fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            throw std::runtime_error("smtp_dialogue: connection closed before a full reply");
        }
        m_buffer.append(chunk, static_cast<std::size_t>(n));
    }
}

} // namespace smtpprobe::test
