// The dashboard's HTTP server: one acceptor, one coroutine per connection, a few threads
// running one io_context. Every read and write has a deadline (a client sending one byte per
// second is cut off), request headers and bodies are bounded, keep-alive is honoured.
// SIGINT/SIGTERM stop accepting, let requests in flight finish, close idle connections, and
// end run() (bounded by a drain deadline).
#pragma once

#include "web/http/router.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace smtpprobe::web {

struct ServerOptions {
    std::string address = "127.0.0.1";
    unsigned short port = 8025;
    int threads = 2;
    std::chrono::milliseconds request_timeout{10'000}; // whole request, and keep-alive idle
    std::chrono::milliseconds write_timeout{10'000};
    std::chrono::milliseconds drain_timeout{5'000};
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 4 * 1024;
    bool handle_signals = true; // SIGINT/SIGTERM stop the server
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
