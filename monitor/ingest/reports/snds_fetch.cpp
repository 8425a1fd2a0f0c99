// HTTPS GET of an SNDS feed (see snds_fetch.hpp).
#include "monitor/ingest/reports/snds_fetch.hpp"

#include "monitor/ingest/reports/snds_feed.hpp"
#include "probe/printable.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace smtpprobe::ingest {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;

struct Target {
    std::string host;
    std::string port = "443";
    std::string path; // from the first '/', without query
};

bool split_https(const std::string& url, Target& out)
{
    if (url.rfind("https://", 0) != 0) {
        return false;
    }
    const std::string rest = url.substr(8);
    const std::size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    out.path = slash == std::string::npos ? "/" : rest.substr(slash);
    out.path = out.path.substr(0, out.path.find('?'));
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string::npos) {
            return false;
        }
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            out.port = authority.substr(close + 2);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string::npos) {
        out.host = authority.substr(0, colon);
        out.port = authority.substr(colon + 1);
    } else {
        out.host = authority;
    }
    return !out.host.empty() && !out.port.empty();
}

asio::awaitable<void> get(Target target, std::string request_target, std::chrono::seconds timeout,
                          asio::ssl::context& tls, SndsHttpResult& result)
{
    auto executor = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(executor);
    beast::tcp_stream tcp(executor);
    tcp.expires_after(timeout);
    auto endpoints = co_await resolver.async_resolve(target.host, target.port, use_awaitable);
    co_await tcp.async_connect(endpoints, use_awaitable);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str())) {
        throw std::runtime_error("cannot set the TLS server name");
    }
    stream.set_verify_mode(asio::ssl::verify_peer);
    stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
    co_await stream.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    http::request<http::empty_body> req{http::verb::get, request_target, 11};
    req.set(http::field::host, target.host);
    req.set(http::field::user_agent, std::string("smtpprobe/") + SMTPPROBE_VERSION);
    req.set(http::field::accept, "text/csv, text/plain");
    co_await http::async_write(stream, req, use_awaitable);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(k_max_snds_bytes);
    co_await http::async_read(stream, buffer, parser, use_awaitable);
    result.status = static_cast<int>(parser.get().result_int());
    result.body = std::move(parser.get().body());
}

} // namespace

SndsHttpResult fetch_snds_feed(const std::string& base, const std::string& page,
                               const std::string& key, std::chrono::seconds timeout)
{
    SndsHttpResult result;
    result.outcome = "error";
    Target target;
    if (!split_https(base, target)) {
        result.source = base.substr(0, base.find('?'));
        result.error = "the SNDS URL must be https://HOST[:PORT]/PATH/";
        return result;
    }
    std::string path = target.path;
    if (path.empty() || path.back() != '/') {
        path += '/';
    }
    result.source = "https://" + target.host + ":" + target.port + path + page;
    // The key is only ever part of this string, which goes to the server inside TLS.
    const std::string request_target = path + page + "?key=" + key;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    std::string failure;
    bool timed_out = false;
    asio::io_context io;
    asio::co_spawn(io, get(target, request_target, timeout, tls, result),
                   [&](std::exception_ptr e) {
                       if (!e) {
                           return;
                       }
                       try {
                           std::rethrow_exception(e);
                       } catch (const boost::system::system_error& error) {
                           timed_out = error.code() == beast::error::timeout;
                           failure = error.code().message();
                       } catch (const std::exception& error) {
                           failure = error.what();
                       }
                   });
    io.run_for(timeout + std::chrono::seconds(1));
    if (!io.stopped()) {
        io.stop();
        timed_out = true;
    }
    if (timed_out) {
        result.outcome = "timeout";
        result.error =
            result.source + ": no answer within " + std::to_string(timeout.count()) + " s";
        result.body.clear();
        return result;
    }
    if (!failure.empty()) {
        result.error = result.source + ": " + printable(failure, 300);
        result.body.clear();
        return result;
    }
    if (result.status != 200) {
        result.outcome = "http-" + std::to_string(result.status);
        result.error = result.source + ": HTTP " + std::to_string(result.status) +
                       (result.status == 401 || result.status == 403
                            ? " (the SNDS key was refused: check [snds] key or key_file)"
                            : "");
        result.body.clear();
        return result;
    }
    result.ok = true;
    result.outcome = "ok";
    return result;
}

} // namespace smtpprobe::ingest
