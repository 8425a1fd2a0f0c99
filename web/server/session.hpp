// One HTTP connection as one coroutine: read a request head within the head deadline (which
// is also how long an idle keep-alive connection may wait), its bounded body within the
// request deadline, answer it through the Router (database work on the worker threads, so a
// slow query never holds up the cheap answers), repeat while keep-alive holds and the server
// is not stopping. The SessionRegistry lets the server close idle connections on shutdown
// and shed the connection that has waited longest for its request head when the server is
// full, without touching a stream from another thread.
#pragma once

#include "web/http/router.hpp"
#include "web/server/client_limits.hpp"
#include "web/server/server.hpp"

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>

namespace smtpprobe::web {

class SessionRegistry {
public:
    virtual ~SessionRegistry() = default;

    // Called by a session on its own strand.
    std::uint64_t add(boost::asio::any_io_executor executor, boost::beast::tcp_stream* stream);
    void remove(std::uint64_t id);
    // The session waits for a request head (since now) / is answering one.
    void mark_waiting(std::uint64_t id);
    void mark_busy(std::uint64_t id);

    bool stopping() const { return m_stopping.load(); }
    std::size_t session_count();

protected:
    void mark_stopping() { m_stopping = true; }
    // Ends every session's pending read (shutdown of the receive side, on its strand); a
    // request being answered still gets its reply.
    void close_idle_sessions();
    // Closes the session that has waited longest for a request head (a slow or idle client);
    // false when every session is answering a request.
    bool shed_longest_waiting();
    // The last session ended after stopping began.
    virtual void on_idle() = 0;

private:
    struct Entry {
        boost::asio::any_io_executor executor;
        boost::beast::tcp_stream* stream;
        bool waiting = true;
        std::chrono::steady_clock::time_point since;
    };
    void shut_receive(std::uint64_t id, const Entry& entry);

    std::mutex m_mutex;
    std::map<std::uint64_t, Entry> m_sessions;
    std::uint64_t m_next_id = 0;
    std::atomic<bool> m_stopping{false};
};

// What every session shares with the server.
struct SessionServices {
    const Router& router;
    const ServerOptions& options;
    SessionRegistry& registry;
    ClientLimits& limits;
    boost::asio::any_io_executor workers; // runs the Router for answers that query the store
};

// Serves one connection from client (its address) until it closes, times out, errs, or the
// server stops. The caller took the client's connection slot; the session gives it back.
boost::asio::awaitable<void> run_session(boost::beast::tcp_stream stream, std::string client,
                                         SessionServices services);

} // namespace smtpprobe::web
