// JSON POST for webhook alerts (see webhook_client.hpp).
#include "monitor/alerts/webhook_client.hpp"

#include "monitor/config/config_checks.hpp"
#include "probe/printable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace smtpprobe::alerts {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;

constexpr std::size_t k_response_body_limit = 64 * 1024;

struct Url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;
};

bool parse_url(const std::string& url, Url& out)
{
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        out.tls = true;
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        return false;
    }
    std::size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    out.target = slash == std::string::npos ? "/" : rest.substr(slash);
    out.port = out.tls ? "443" : "80";
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string::npos) {
            return false;
        }
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            out.port = authority.substr(close + 2);
        }
    } else if (std::size_t colon = authority.rfind(':'); colon != std::string::npos) {
        out.host = authority.substr(0, colon);
        out.port = authority.substr(colon + 1);
    } else {
        out.host = authority;
    }
    return !out.host.empty() && !out.port.empty();
}

http::request<http::string_body> make_request(const config::Webhook& hook, const Url& url,
                                              const std::string& body)
{
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host);
    req.set(http::field::user_agent, std::string("smtpprobe/") + SMTPPROBE_VERSION);
    req.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : hook.headers) {
        req.set(name, value);
    }
    req.body() = body;
    req.prepare_payload();
    return req;
}

template <typename Stream>
asio::awaitable<void> exchange(Stream& stream, http::request<http::string_body>& req,
                               WebhookResult& result)
{
    co_await http::async_write(stream, req, use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(k_response_body_limit);
    co_await http::async_read(stream, buffer, parser, use_awaitable);
    result.status = static_cast<int>(parser.get().result_int());
}

asio::awaitable<void> post(const config::Webhook& hook, Url url, std::string body,
                           asio::ssl::context& tls, WebhookResult& result)
{
    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    auto req = make_request(hook, url, body);
    beast::tcp_stream tcp(executor);
    tcp.expires_after(hook.timeout);
    auto endpoints = co_await resolver.async_resolve(url.host, url.port, use_awaitable);
    co_await tcp.async_connect(endpoints, use_awaitable);
    if (!url.tls) {
        co_await exchange(tcp, req, result);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
        throw std::runtime_error("cannot set TLS server name");
    }
    if (hook.verify_tls) {
        stream.set_verify_mode(asio::ssl::verify_peer);
        stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
    }
    co_await stream.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    co_await exchange(stream, req, result);
}

} // namespace

WebhookResult post_json(const config::Webhook& hook, const std::string& body)
{
    WebhookResult result;
    Url url;
    if (!config::is_webhook_url(hook.url) || !parse_url(hook.url, url)) {
        result.retryable = false;
        result.error = "bad webhook url";
        return result;
    }
    // The config check refuses these already; a header that could split the request is never
    // sent, whatever built the Webhook.
    for (const auto& [name, value] : hook.headers) {
        if (!config::is_header_name(name) || !config::is_header_value(value)) {
            result.retryable = false;
            result.error = printable(hook.url, 200) + ": header " + printable(name, 100) +
                           " is not a valid HTTP header";
            return result;
        }
    }
    // The TLS context outlives the io_context, whose destruction ends a stopped exchange.
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    std::string failure;
    asio::io_context io;
    asio::co_spawn(io, post(hook, url, body, tls, result), [&](std::exception_ptr e) {
        if (!e) {
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const boost::system::system_error& error) {
            failure = error.code() == beast::error::timeout
                          ? "timed out after " + std::to_string(hook.timeout.count()) + " s"
                          : error.code().message();
        } catch (const std::exception& error) {
            failure = error.what();
        }
    });
    // The tcp_stream deadline bounds each step; this bounds the whole exchange.
    io.run_for(hook.timeout * 2 + std::chrono::seconds(1));
    if (!io.stopped()) {
        io.stop();
        failure = "timed out after " + std::to_string(hook.timeout.count()) + " s";
    }
    if (!failure.empty()) {
        result.error = printable(hook.url, 200) + ": " + printable(failure, 300);
        return result;
    }
    if (result.status >= 200 && result.status < 300) {
        result.ok = true;
        return result;
    }
    result.retryable = !(result.status >= 400 && result.status < 500 && result.status != 408 &&
                         result.status != 429);
    result.error = printable(hook.url, 200) + ": HTTP " + std::to_string(result.status);
    return result;
}

} // namespace smtpprobe::alerts
