// The dashboard's HTTP server: one acceptor, one coroutine per connection, a few threads
// running one io_context, and worker threads for answers that read the store. Every read and
// write has a deadline (a client sending one byte per second is cut off), request heads and
// bodies are bounded, keep-alive is honoured. Hostile clients are bounded too: connections in
// all and per client address, requests answered at once per client, the size of one answer
// and the bytes of answers waiting for clients that do not read; when the server is full, the
// connection that has waited longest for its request head is shed for the new one.
// SIGINT/SIGTERM stop accepting, let requests in flight finish, close idle connections, and
// end run() (bounded by a drain deadline).
#pragma once

#include "web/http/router.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::web {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8025;
    int threads = 2;        // serving threads (connections, cheap answers)
    int worker_threads = 1; // threads answering from the store (API, /metrics): one, so
                            // store queries never take every core from the cheap answers
    std::chrono::milliseconds header_timeout{5'000};   // request head, and keep-alive idle
    std::chrono::milliseconds request_timeout{10'000}; // the rest of a request (its body)
    std::chrono::milliseconds write_timeout{10'000};   // one answer
    std::chrono::milliseconds drain_timeout{5'000};
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 4 * 1024;
    std::size_t max_connections = 1024;          // keep below the descriptor limit (LimitNOFILE)
    std::size_t max_connections_per_client = 64; // per client address
    std::size_t max_requests_per_client = 8;     // answered or being written at once (429)
    std::size_t max_response_bytes = 32 * 1024 * 1024; // one answer; larger is 503
    std::size_t response_budget = 64 * 1024 * 1024;    // answers being written, all clients
    std::size_t small_response_bytes = 64 * 1024;      // answers always within the budget
    std::vector<std::string> allowed_hosts;            // Host names answered besides the address
    bool handle_signals = true;                        // SIGINT/SIGTERM stop the server
};

class Server {
public:
    Server(ServerOptions options, RouterOptions router);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens (throws std::system_error naming the address on failure), then
    // returns the bound port (useful with port 0).
    unsigned short listen();
    // Serves until stop() or a signal; then drains. on_ready runs once listening.
    void run(const std::function<void()>& on_ready = {});
    // Thread-safe: begins the graceful shutdown.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Whether an address is loopback (127.0.0.0/8, ::1): anything else needs a token.
bool is_loopback_address(const std::string& address);

} // namespace smtpprobe::web
