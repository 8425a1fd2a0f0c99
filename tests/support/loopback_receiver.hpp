// The receiving side of the MTA integration tests: one TCP port on several loopback
// addresses, each standing for a receiver whose name the MTA's /etc/hosts gives it, and
// answering by the recipient's local part with the real texts big receivers send:
//   s3140@ -> 550 5.7.1 ... (S3140)   ms606@ -> 550 5.7.606 ... AS(1430)
//   tss04@ -> 421 4.7.0 [TSS04] ... (and closes, as a 421 does)   anything else -> 250
// plus a silent address (accepts, never greets: a timeout at the banner). An address with no
// listener gives "connection refused". Messages are kept (receipts arrive here). No DSN is
// advertised, so the MTA itself answers NOTIFY=SUCCESS with a "relayed" receipt.
// One thread per listener and per connection, bounded reads, stopped in the destructor.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace smtpprobe::test {

// The loopback addresses the MTA tests route to (see mta_chroot.hpp's /etc/hosts).
struct ReceiverAddresses {
    static constexpr const char* ok = "127.0.0.7";       // mx.ok.test
    static constexpr const char* outlook = "127.0.0.5";  // eur.olc.protection.outlook.com
    static constexpr const char* yahoo = "127.0.0.6";    // mta5.am0.yahoodns.net
    static constexpr const char* refused = "127.0.0.3";  // mx.refused.test: no listener
    static constexpr const char* silent = "127.0.0.4";   // mx.slow.test: never greets
    static constexpr const char* receipts = "127.0.0.8"; // mx.receipts.test: smtpprobe's own
};

extern const char* const k_s3140_reply;
extern const char* const k_ms606_reply;
extern const char* const k_tss04_reply;

class LoopbackReceiver {
public:
    struct Message {
        std::string from;
        std::string rcpt;
        std::string content;
    };

    // Picks a port free on every listening address and starts the listeners.
    LoopbackReceiver();
    ~LoopbackReceiver();
    LoopbackReceiver(const LoopbackReceiver&) = delete;
    LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

    int port() const { return m_port; }
    std::vector<Message> messages() const;
    // Polls until a message to rcpt arrived; false after timeout.
    bool wait_for_message_to(const std::string& rcpt, std::chrono::milliseconds timeout) const;

private:
    void listen_on(const std::string& address, bool silent);
    void serve(int listen_fd, bool silent);
    void session(int fd);

    int m_port = 0;
    std::vector<int> m_listen_fds;
    std::vector<int> m_held; // silent connections, closed on stop
    std::atomic<bool> m_stopping{false};
    mutable std::mutex m_mutex;
    std::vector<Message> m_messages;
    std::vector<std::thread> m_threads;
};

} // namespace smtpprobe::test
