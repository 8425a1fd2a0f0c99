// The loopback HTTPS test server (see https_server.hpp).
#include "tests/support/https_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace smtpprobe::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;

struct HttpsServer::State {
    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor acceptor{io};
    std::mutex mutex;
    std::map<std::string, HttpsReply> replies;
    std::vector<std::string> targets;
};

namespace {

asio::awaitable<void> serve(std::shared_ptr<HttpsServer::State> state, asio::ip::tcp::socket socket)
{
    try {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), state->tls);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
        co_await stream.async_handshake(asio::ssl::stream_base::server, use_awaitable);
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        co_await http::async_read(stream, buffer, req, use_awaitable);
        const std::string target(req.target());
        HttpsReply reply{404, "not found\n", "text/plain", false};
        {
            std::lock_guard lock(state->mutex);
            state->targets.push_back(target);
            auto it = state->replies.find(target.substr(0, target.find('?')));
            if (it != state->replies.end()) {
                reply = it->second;
            }
        }
        if (reply.hang) {
            beast::get_lowest_layer(stream).expires_never();
            asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(1));
            co_await forever.async_wait(use_awaitable);
            co_return;
        }
        http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
        res.set(http::field::content_type, reply.content_type);
        res.body() = reply.body;
        res.prepare_payload();
        co_await http::async_write(stream, res, use_awaitable);
        beast::error_code ec;
        stream.shutdown(ec);
    } catch (const std::exception&) {
        // A client that went away: nothing to do.
    }
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpsServer::State> state)
{
    for (;;) {
        asio::ip::tcp::socket socket = co_await state->acceptor.async_accept(use_awaitable);
        asio::co_spawn(state->io, serve(state, std::move(socket)), asio::detached);
    }
}

} // namespace

HttpsServer::HttpsServer(const std::string& cert_path, const std::string& key_path)
    : m_state(std::make_shared<State>())
{
    m_state->tls.use_certificate_chain_file(cert_path);
    m_state->tls.use_private_key_file(key_path, asio::ssl::context::pem);
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    m_state->acceptor.open(endpoint.protocol());
    m_state->acceptor.set_option(asio::socket_base::reuse_address(true));
    m_state->acceptor.bind(endpoint);
    m_state->acceptor.listen();
    m_port = m_state->acceptor.local_endpoint().port();
    asio::co_spawn(m_state->io, accept_loop(m_state), asio::detached);
    m_thread = std::thread([state = m_state] { state->io.run(); });
}

HttpsServer::~HttpsServer()
{
    stop();
}

void HttpsServer::set(const std::string& path, HttpsReply reply)
{
    std::lock_guard lock(m_state->mutex);
    m_state->replies[path] = std::move(reply);
}

std::vector<std::string> HttpsServer::targets()
{
    std::lock_guard lock(m_state->mutex);
    return m_state->targets;
}

void HttpsServer::stop()
{
    if (m_thread.joinable()) {
        m_state->io.stop();
        m_thread.join();
    }
}

} // namespace smtpprobe::test
