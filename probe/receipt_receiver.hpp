// The small SMTP receiver of `--dsn-test --send`: listens on the address and port the user
// gives, accepts whatever mail arrives there (the DSN the tested server sends back to our
// return address) and keeps it for the caller. Peer text is hostile: one connection at a time,
// every read bounded (4 KiB lines, 1 MiB per message, 20 messages) and under a deadline (30 s
// per command, the caller's overall wait); nothing is relayed or stored on disk.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace smtpprobe::probe {

class ReceiptReceiver {
public:
    struct Message {
        std::string envelope_from;
        std::vector<std::string> recipients;
        std::string content; // header and body, CRLF lines, dot-unstuffed
        std::chrono::system_clock::time_point received_at;
    };

    // Binds host:port (an IP literal) and starts serving; throws std::runtime_error with one
    // line naming the address when it cannot bind.
    ReceiptReceiver(const std::string& host, int port, std::string hostname);
    ~ReceiptReceiver(); // stops within ~200 ms
    ReceiptReceiver(const ReceiptReceiver&) = delete;
    ReceiptReceiver& operator=(const ReceiptReceiver&) = delete;

    // Messages received so far (a copy).
    std::vector<Message> messages() const;
    int port() const { return m_port; }

private:
    void serve();
    void session(int fd);

    std::string m_hostname;
    int m_listen_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    mutable std::mutex m_mutex;
    std::vector<Message> m_messages;
    std::thread m_thread;
};

// Splits "HOST:PORT" / "[V6]:PORT" into host and port; false when malformed.
bool split_listen_address(const std::string& text, std::string& host, int& port);

} // namespace smtpprobe::probe
