// The Beast server (see server.hpp). Control work (accepting, signals, the drain deadline)
// runs on one strand; each connection runs as one coroutine on its own strand.
#include "web/server/server.hpp"

#include "probe/log.hpp"
#include "probe/printable.hpp"
#include "web/server/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <iostream>
#include <system_error>
#include <thread>

namespace smtpprobe::web {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// The router answers only for the address it listens on (and the names it is given).
RouterOptions bound_to(RouterOptions router, const ServerOptions& options)
{
    router.listen_address = options.address;
    router.allowed_hosts.insert(router.allowed_hosts.end(), options.allowed_hosts.begin(),
                                options.allowed_hosts.end());
    return router;
}

ClientLimitSettings limit_settings(const ServerOptions& options)
{
    ClientLimitSettings settings;
    settings.connections_per_client = options.max_connections_per_client;
    settings.requests_per_client = options.max_requests_per_client;
    settings.response_budget = options.response_budget;
    settings.small_response = options.small_response_bytes;
    return settings;
}

} // namespace

struct Server::Impl : SessionRegistry {
    Impl(ServerOptions opts, RouterOptions router_options)
        : options(std::move(opts)), router(bound_to(std::move(router_options), options)),
          limits(limit_settings(options)), io(std::max(1, options.threads)),
          workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
          control(asio::make_strand(io)), acceptor(control), signals(control), drain_timer(control)
    {
    }

    // Whether a new connection from client may be served: within its own limit, and within
    // the server's (shedding the longest-waiting connection when full).
    bool admit(const std::string& client);

    asio::awaitable<void> accept_loop();
    void begin_stop();
    void on_idle() override;

    ServerOptions options;
    Router router;
    ClientLimits limits;
    asio::io_context io;
    asio::thread_pool workers;
    asio::strand<asio::io_context::executor_type> control;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    asio::steady_timer drain_timer;
    bool stop_begun = false; // on the control strand
};

asio::awaitable<void> Server::Impl::accept_loop()
{
    for (;;) {
        boost::system::error_code ec;
        tcp::socket socket(asio::make_strand(io));
        co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (!acceptor.is_open() || stopping()) {
                co_return;
            }
            // Out of descriptors or similar: wait a little rather than spin.
            asio::steady_timer pause(control, std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        boost::system::error_code peer_ec;
        const auto peer = socket.remote_endpoint(peer_ec);
        std::string client = peer_ec ? std::string("?") : peer.address().to_string();
        if (!admit(client)) {
            socket.close(peer_ec);
            continue;
        }
        auto executor = socket.get_executor();
        asio::co_spawn(
            executor,
            run_session(boost::beast::tcp_stream(std::move(socket)), std::move(client),
                        SessionServices{router, options, *this, limits, workers.get_executor()}),
            [](std::exception_ptr error) {
                if (error) {
                    try {
                        std::rethrow_exception(error);
                    } catch (const std::exception& e) {
                        log::warn("serve: session failed: ", printable(e.what(), 300));
                    }
                }
            });
    }
}

bool Server::Impl::admit(const std::string& client)
{
    if (!limits.take_connection(client)) {
        return false;
    }
    // Counted when admitted (a session registers a moment later, on its own strand).
    if (limits.connections() > options.max_connections && !shed_longest_waiting()) {
        limits.give_connection(client);
        return false;
    }
    return true;
}

void Server::Impl::begin_stop()
{
    if (stop_begun) {
        return;
    }
    stop_begun = true;
    mark_stopping();
    boost::system::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    close_idle_sessions();
    if (session_count() == 0) {
        return;
    }
    drain_timer.expires_after(options.drain_timeout);
    drain_timer.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec) {
            // Sessions that did not finish in time are abandoned.
            io.stop();
        }
    });
}

void Server::Impl::on_idle()
{
    asio::post(control, [this] {
        if (stop_begun) {
            drain_timer.cancel();
        }
    });
}

Server::Server(ServerOptions options, RouterOptions router)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(router)))
{
}

Server::~Server() = default;

unsigned short Server::listen()
{
    auto& impl = *m_impl;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(impl.options.address, ec);
    if (ec) {
        throw std::system_error(ec, "cannot use listen address '" + impl.options.address + "'");
    }
    tcp::endpoint endpoint(address, impl.options.port);
    std::string where = impl.options.address + ":" + std::to_string(impl.options.port);
    impl.acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        impl.acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::system_error(ec, "cannot listen on " + where);
    }
    return impl.acceptor.local_endpoint().port();
}

void Server::run(const std::function<void()>& on_ready)
{
    auto& impl = *m_impl;
    if (impl.options.handle_signals) {
        impl.signals.add(SIGINT);
        impl.signals.add(SIGTERM);
        impl.signals.async_wait([&impl](boost::system::error_code ec, int) {
            if (!ec) {
                impl.begin_stop();
            }
        });
    }
    asio::co_spawn(impl.control, impl.accept_loop(), asio::detached);
    if (on_ready) {
        on_ready();
    }
    std::vector<std::thread> extra;
    for (int i = 1; i < impl.options.threads; ++i) {
        extra.emplace_back([&impl] { impl.io.run(); });
    }
    impl.io.run();
    for (auto& thread : extra) {
        thread.join();
    }
    impl.workers.stop();
    impl.workers.join();
}

void Server::stop()
{
    asio::post(m_impl->control, [impl = m_impl.get()] { impl->begin_stop(); });
}

bool is_loopback_address(const std::string& address)
{
    boost::system::error_code ec;
    auto parsed = asio::ip::make_address(address, ec);
    return !ec && parsed.is_loopback();
}

} // namespace smtpprobe::web
