// One HTTP connection as one coroutine: read a request (bounded header and body, one deadline
// for the whole request), answer it through the Router, repeat while keep-alive holds and the
// server is not stopping. The SessionRegistry lets the server close idle connections on
// shutdown without touching a stream from another thread.
#pragma once

#include "web/http/router.hpp"
#include "web/server/server.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
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

    bool stopping() const { return m_stopping.load(); }
    std::size_t session_count();

protected:
    void mark_stopping() { m_stopping = true; }
    // Ends every session's pending read (shutdown of the receive side, on its strand); a
    // request being answered still gets its reply.
    void close_idle_sessions();
    // The last session ended after stopping began.
    virtual void on_idle() = 0;

private:
    struct Entry {
        boost::asio::any_io_executor executor;
        boost::beast::tcp_stream* stream;
    };
    std::mutex m_mutex;
    std::map<std::uint64_t, Entry> m_sessions;
    std::uint64_t m_next_id = 0;
    std::atomic<bool> m_stopping{false};
};

// Serves one connection until it closes, times out, errs, or the server stops.
boost::asio::awaitable<void> run_session(boost::beast::tcp_stream stream, const Router& router,
                                         const ServerOptions& options, SessionRegistry& registry);

} // namespace smtpprobe::web
