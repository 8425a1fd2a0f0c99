// The per-connection coroutine and the registry of live sessions (see session.hpp).
#include "web/server/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace smtpprobe::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::uint64_t SessionRegistry::add(asio::any_io_executor executor, beast::tcp_stream* stream)
{
    std::lock_guard lock(m_mutex);
    auto id = ++m_next_id;
    m_sessions.emplace(id,
                       Entry{std::move(executor), stream, true, std::chrono::steady_clock::now()});
    return id;
}

void SessionRegistry::mark_waiting(std::uint64_t id)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_sessions.find(id); it != m_sessions.end()) {
        it->second.waiting = true;
        it->second.since = std::chrono::steady_clock::now();
    }
}

void SessionRegistry::mark_busy(std::uint64_t id)
{
    std::lock_guard lock(m_mutex);
    if (auto it = m_sessions.find(id); it != m_sessions.end()) {
        it->second.waiting = false;
    }
}

bool SessionRegistry::shed_longest_waiting()
{
    std::lock_guard lock(m_mutex);
    auto oldest = m_sessions.end();
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        if (it->second.waiting &&
            (oldest == m_sessions.end() || it->second.since < oldest->second.since)) {
            oldest = it;
        }
    }
    if (oldest == m_sessions.end()) {
        return false;
    }
    // Not chosen again while its shutdown is on the way.
    oldest->second.waiting = false;
    shut_receive(oldest->first, oldest->second);
    return true;
}

void SessionRegistry::shut_receive(std::uint64_t id, const Entry& entry)
{
    // Runs on the session's strand, so the session is suspended, not running; it checks the
    // session still exists because it may have ended in between.
    asio::post(entry.executor, [this, session_id = id] {
        std::lock_guard inner(m_mutex);
        auto it = m_sessions.find(session_id);
        if (it != m_sessions.end()) {
            boost::system::error_code ec;
            it->second.stream->socket().shutdown(asio::ip::tcp::socket::shutdown_receive, ec);
        }
    });
}

void SessionRegistry::remove(std::uint64_t id)
{
    bool idle = false;
    {
        std::lock_guard lock(m_mutex);
        m_sessions.erase(id);
        idle = m_sessions.empty() && m_stopping;
    }
    if (idle) {
        on_idle();
    }
}

std::size_t SessionRegistry::session_count()
{
    std::lock_guard lock(m_mutex);
    return m_sessions.size();
}

void SessionRegistry::close_idle_sessions()
{
    std::lock_guard lock(m_mutex);
    for (const auto& [id, entry] : m_sessions) {
        shut_receive(id, entry);
    }
}

namespace {

using Response = http::response<http::string_body>;

void add_security_headers(Response& response)
{
    response.set(http::field::server, "smtpprobe/" SMTPPROBE_VERSION);
    response.set("Content-Security-Policy", beast::string_view(k_content_security_policy.data(),
                                                               k_content_security_policy.size()));
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "no-referrer");
}

Response to_response(HttpReply reply, unsigned version, bool head)
{
    Response response{static_cast<http::status>(reply.status), version};
    add_security_headers(response);
    if (!reply.content_type.empty()) {
        response.set(http::field::content_type, reply.content_type);
    }
    for (const auto& [name, value] : reply.headers) {
        response.set(name, value);
    }
    if (head) {
        // HEAD: the headers a GET would carry, no body.
        response.content_length(reply.body.size());
    } else {
        response.body() = std::move(reply.body);
        response.prepare_payload();
    }
    return response;
}

// A request we could not even read: say why, then close.
unsigned status_for_read_error(const boost::system::error_code& ec)
{
    if (ec == http::error::header_limit) {
        return 431;
    }
    if (ec == http::error::body_limit) {
        return 413;
    }
    if (ec.category() == make_error_code(http::error::end_of_stream).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
        return 400;
    }
    return 0;
}

// A short JSON error answered by the server itself (limits, unreadable requests).
HttpReply limit_reply(unsigned status, const std::string& message, const char* retry_after)
{
    HttpReply reply;
    reply.status = status;
    reply.content_type = "application/json";
    reply.body = "{\"error\":\"" + message + "\",\"status\":" + std::to_string(status) + "}\n";
    reply.headers.emplace_back("Cache-Control", "no-store");
    if (retry_after) {
        reply.headers.emplace_back("Retry-After", retry_after);
    }
    return reply;
}

} // namespace

asio::awaitable<void> run_session(beast::tcp_stream stream, std::string client,
                                  SessionServices services)
{
    const ServerOptions& options = services.options;
    SessionRegistry& registry = services.registry;
    auto executor = co_await asio::this_coro::executor;
    auto id = registry.add(executor, &stream);
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        parser.body_limit(options.body_limit);
        // The head deadline covers an idle keep-alive connection and a client trickling its
        // request line and headers: either is cut off when it passes, and until then it is
        // the first to be shed when the server is full.
        registry.mark_waiting(id);
        stream.expires_after(std::min(options.header_timeout, options.request_timeout));
        co_await http::async_read_header(stream, buffer, parser,
                                         asio::redirect_error(asio::use_awaitable, ec));
        registry.mark_busy(id);
        if (!ec && !parser.is_done()) {
            stream.expires_after(options.request_timeout);
            co_await http::async_read(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec) {
            if (unsigned status = status_for_read_error(ec)) {
                Response response =
                    to_response(limit_reply(status,
                                            status == 431   ? "request header too large"
                                            : status == 413 ? "request body too large"
                                                            : "malformed request",
                                            nullptr),
                                11, false);
                response.keep_alive(false);
                stream.expires_after(options.write_timeout);
                co_await http::async_write(stream, response,
                                           asio::redirect_error(asio::use_awaitable, ec));
            }
            break;
        }
        const auto& request = parser.get();
        auto view = [](beast::string_view text) {
            return std::string_view(text.data(), text.size());
        };
        HttpRequest input{view(request.method_string()), view(request.target()),
                          view(request[http::field::authorization]),
                          view(request[http::field::cookie]), view(request[http::field::host])};
        bool keep_alive = request.keep_alive() && !registry.stopping();
        HttpReply reply;
        RequestTicket ticket(services.limits, client);
        if (!ticket.held()) {
            reply = limit_reply(429, "too many requests at once from this client", "1");
            keep_alive = false;
        } else if (services.router.queries_store(input)) {
            // On a worker thread: this session's strand (and the other sessions on the
            // serving threads) stay free while the store is read.
            const Router& router = services.router;
            reply = co_await asio::co_spawn(
                services.workers,
                [&router, &input]() -> asio::awaitable<HttpReply> {
                    co_return router.handle(input);
                },
                asio::use_awaitable);
        } else {
            reply = services.router.handle(input);
        }
        if (reply.body.size() > options.max_response_bytes) {
            reply =
                limit_reply(503, "answer too large: narrow the query (from, to, limit)", nullptr);
        }
        // Answers waiting for a client that does not read stay in memory until the write
        // deadline: their bytes come from one budget, and an answer that does not fit now is
        // refused (and freed) instead of waiting.
        BudgetTicket budget(services.limits, reply.body.size(), options.small_response_bytes);
        if (!budget.held()) {
            reply = limit_reply(503, "server busy: too many large answers being sent", "5");
            keep_alive = false;
        }
        Response response =
            to_response(std::move(reply), request.version(), request.method() == http::verb::head);
        response.keep_alive(keep_alive);
        stream.expires_after(options.write_timeout);
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !keep_alive) {
            break;
        }
    }
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    registry.remove(id);
    services.limits.give_connection(client);
}

} // namespace smtpprobe::web
