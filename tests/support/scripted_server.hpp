// A scripted, possibly hostile SMTP server on a free loopback port, for the faults no real
// server produces on demand (endless replies, huge lines, slow drip, resets, garbage, broken
// TLS, a dialogue that fails at step n). It runs on its own thread with blocking sockets and
// handles one connection at a time; the destructor stops it within ~100 ms.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

namespace smtpprobe::test {

// One accepted connection, as the server's handler sees it.
class ServerConnection {
public:
    ServerConnection(int fd, const std::atomic<bool>& stopping) : m_fd(fd), m_stopping(stopping) {}
    // Sends bytes; false when the peer is gone.
    bool send(const std::string& bytes);
    // Reads one line (without CRLF); nullopt on EOF, error, stop or after timeout_ms.
    std::optional<std::string> read_line(int timeout_ms = 5000);
    // Whether input is waiting (already read ahead, or arriving within wait_ms).
    bool has_input(int wait_ms);
    // Sleeps up to ms, returning early (false) when the server stops.
    bool pause(int ms);
    // Closes with RST (SO_LINGER 0) instead of FIN.
    void reset();
    bool stopping() const { return m_stopping.load(); }
    int fd() const { return m_fd; }

private:
    int m_fd;
    const std::atomic<bool>& m_stopping;
    std::string m_pending;
};

class ScriptedServer {
public:
    using Handler = std::function<void(ServerConnection&)>;
    explicit ScriptedServer(Handler handler);
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    int port() const { return m_port; }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }
    int connections() const { return m_connections.load(); }

private:
    void serve();

    Handler m_handler;
    int m_listen_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_connections{0};
    std::thread m_thread;
};

// A well-behaved SMTP dialogue with knobs: replies per verb (default 250 ok), extensions,
// and a fault at step `fail_after`: 0 = instead of the banner, n = instead of the reply to the
// n-th command.
struct DialogueSpec {
    std::string banner = "220 fake.test ESMTP scripted\r\n";
    std::string ehlo_extensions = "PIPELINING\r\n250-DSN\r\n250 ENHANCEDSTATUSCODES";
    std::map<std::string, std::string> replies; // "RCPT" -> "550 5.1.1 no such user\r\n"
    enum class Fault { none, close, reset, hang, reply_421 };
    Fault fault = Fault::none;
    int fail_after = -1; // commands answered before the fault; -1 never
};
void run_dialogue(ServerConnection& c, const DialogueSpec& spec);

} // namespace smtpprobe::test
