// SmtpChannel: deadlines with one steady_timer per connection used as a lazy watchdog (its
// handler holds only a weak reference, so a late timer never touches a finished session),
// bounded reads, transcript.
//
// The watchdog: each stage sets `deadline` and `active`; the timer is (re)started only when it
// is idle or waiting for a later expiry than the new deadline. When it fires it compares the
// clock with the current deadline: past it while active, the socket is cancelled (the pending
// operation completes with operation_aborted and io_failure() reports the timeout); otherwise it
// waits again for the current deadline, or goes idle when no stage is active. A fast dialogue
// therefore never cancels and re-queues a timer per command: the per-command cost is two
// stores, not a timer-queue update plus an aborted handler.
#include "probe/smtp_channel.hpp"

#include "probe/address_text.hpp"
#include "probe/tls_facts.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace smtpprobe::probe {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct SmtpChannel::State {
    explicit State(asio::any_io_executor ex) : socket(ex), timer(ex) {}
    tcp::socket socket;
    std::optional<asio::ssl::stream<tcp::socket&>> tls;
    asio::steady_timer timer;
    Clock::time_point deadline{};      // of the active stage
    Clock::time_point waiting_for{};   // the timer's expiry while waiting
    std::uint64_t wait_generation = 0; // the newest async_wait
    bool active = false;               // a stage is under its deadline
    bool waiting = false;              // an async_wait is pending
    bool timed_out = false;
    bool cancelled = false;
};

// Starts the watchdog wait for s.deadline (see the file comment).
void SmtpChannel::start_wait(const std::shared_ptr<State>& state)
{
    auto& s = *state;
    std::uint64_t generation = ++s.wait_generation;
    s.waiting = true;
    s.waiting_for = s.deadline;
    s.timer.expires_at(s.deadline);
    std::weak_ptr<State> weak = state;
    s.timer.async_wait([weak, generation](const boost::system::error_code& ec) {
        auto st = weak.lock();
        if (ec || !st || st->wait_generation != generation) {
            return; // replaced by a nearer wait, cancelled at close, or the session is gone
        }
        st->waiting = false;
        if (!st->active) {
            return;
        }
        if (Clock::now() < st->deadline) {
            start_wait(st); // the stage moved on to a later deadline
            return;
        }
        st->timed_out = true;
        boost::system::error_code ignored;
        st->socket.cancel(ignored);
    });
}

// Puts `deadline` on the watchdog, restarting the timer only when it must fire sooner.
void SmtpChannel::watch_until(const std::shared_ptr<State>& state, Clock::time_point deadline)
{
    auto& s = *state;
    s.timed_out = false;
    s.active = true;
    s.deadline = deadline;
    if (!s.waiting || deadline < s.waiting_for) {
        start_wait(state);
    }
}

// Stops the watchdog for good (the connection is closing): its pending wait is cancelled.
void SmtpChannel::stop_watching(State& s)
{
    s.active = false;
    if (s.waiting) {
        s.waiting = false;
        ++s.wait_generation;
        s.timer.cancel();
    }
}

SmtpChannel::SmtpChannel(asio::any_io_executor executor, const Limits& limits,
                         Clock::time_point session_start, Clock::time_point session_end,
                         std::vector<TranscriptLine>& transcript, CancelSignal* cancel)
    : m_state(std::make_shared<State>(executor)), m_limits(limits), m_start(session_start),
      m_end(session_end), m_transcript(transcript), m_cancel(cancel), m_parser(limits.peer)
{
    if (m_cancel) {
        std::weak_ptr<State> weak = m_state;
        m_cancel_slot = m_cancel->connect([weak] {
            if (auto s = weak.lock()) {
                s->cancelled = true;
                boost::system::error_code ignored;
                s->socket.cancel(ignored);
            }
        });
    }
}

SmtpChannel::~SmtpChannel()
{
    if (m_cancel) {
        m_cancel->disconnect(m_cancel_slot);
    }
    close();
}

void SmtpChannel::close()
{
    if (m_lingering) {
        return;
    }
    boost::system::error_code ignored;
    stop_watching(*m_state);
    if (m_state->socket.is_open()) {
        // close() alone sends the FIN (a RST when unread bytes remain): the descriptor is not
        // shared, so a shutdown() first would only cost a system call per session.
        m_state->socket.close(ignored);
    }
}

std::int64_t SmtpChannel::elapsed_ms() const
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_start).count();
}

void SmtpChannel::event(std::string text)
{
    m_transcript.push_back({TranscriptLine::Dir::event, std::move(text), elapsed_ms()});
}

std::string SmtpChannel::local_address() const
{
    return m_local_address;
}

// Arms the timer for stage; the nearer of the stage deadline and the session deadline wins.
std::chrono::milliseconds SmtpChannel::arm(Stage stage, Stage* effective)
{
    auto now = Clock::now();
    auto stage_deadline = now + m_limits[stage];
    *effective = stage;
    auto deadline = stage_deadline;
    if (m_end < stage_deadline) {
        deadline = m_end;
        *effective = Stage::session;
    }
    arm_until(deadline);
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
}

void SmtpChannel::arm_until(Clock::time_point deadline)
{
    watch_until(m_state, deadline);
}

void SmtpChannel::disarm()
{
    m_state->active = false;
}

// The detached wait of close_after_quit(): owns the connection's state (socket and watchdog)
// and nothing else of the channel, so it may outlive the channel, its result and its options.
asio::awaitable<void> SmtpChannel::linger(std::shared_ptr<State> state, Clock::time_point until)
{
    auto& s = *state;
    watch_until(state, until);
    std::array<char, 512> buffer;
    std::size_t dropped = 0;
    for (;;) {
        boost::system::error_code ec;
        std::size_t n = co_await s.socket.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        dropped += n;
        if (ec || dropped > 64 * 1024) {
            break; // end of stream (the server closed), the deadline, or an error
        }
    }
    stop_watching(s);
    boost::system::error_code ignored;
    s.socket.close(ignored);
}

void SmtpChannel::close_after_quit(std::chrono::milliseconds limit)
{
    auto& s = *m_state;
    if (!s.socket.is_open() || s.tls) {
        close();
        return;
    }
    m_lingering = true; // close() leaves the socket to linger() from now on
    asio::co_spawn(s.socket.get_executor(), linger(m_state, std::min(Clock::now() + limit, m_end)),
                   asio::detached);
}

ChatResult SmtpChannel::io_failure(Stage stage, const boost::system::error_code& ec, bool reading)
{
    ChatResult r;
    r.stage = stage;
    if (m_state->timed_out) {
        r.kind = ChatResult::Kind::timeout;
        r.error = std::string("timeout (") + stage_name(stage) + ")";
    } else if (m_state->cancelled) {
        r.kind = ChatResult::Kind::cancelled;
        r.error = "cancelled";
    } else if (reading && (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)) {
        m_parser.end_of_stream();
        r.kind = ChatResult::Kind::protocol_error;
        r.error = m_parser.take().error;
    } else {
        r.kind = ChatResult::Kind::io_error;
        r.error = ec.message();
        if (reading && m_parser.bytes_seen() > 0) {
            r.error += " in the middle of a reply";
        }
        m_parser.take();
    }
    event(r.error);
    return r;
}

asio::awaitable<ChatResult> SmtpChannel::connect(tcp::endpoint endpoint,
                                                 std::optional<asio::ip::address> source)
{
    ChatResult r;
    r.stage = Stage::connect;
    if (m_cancel && m_cancel->cancelled()) {
        r.kind = ChatResult::Kind::cancelled;
        r.error = "cancelled";
        co_return r;
    }
    auto& s = *m_state;
    boost::system::error_code ec;
    s.socket.open(endpoint.protocol(), ec);
    if (!ec && source) {
        s.socket.bind(tcp::endpoint(*source, 0), ec);
        if (ec) {
            r.kind = ChatResult::Kind::io_error;
            r.error = "cannot bind source address " + source->to_string() + ": " + ec.message();
            event(r.error);
            co_return r;
        }
    }
    if (ec) {
        r.kind = ChatResult::Kind::io_error;
        r.error = "cannot open socket: " + ec.message();
        event(r.error);
        co_return r;
    }
    Stage effective;
    arm(Stage::connect, &effective);
    co_await s.socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (ec == asio::error::connection_reset) {
        // The handshake completed and the server reset the connection at once, before the
        // socket was seen writable: the server accepted, so this is a reset before the banner,
        // which the banner read reports, as it does when the reset comes a moment later.
        ec = {};
    }
    if (ec) {
        co_return io_failure(effective, ec, false);
    }
    tcp::no_delay nodelay(true);
    s.socket.set_option(nodelay, ec);
    auto local = s.socket.local_endpoint(ec);
    m_local_address = ec ? std::string() : address_text(local.address());
    event("connected to " + address_text(endpoint.address()) + " port " +
          std::to_string(endpoint.port()) + " from " + m_local_address);
    co_return r;
}

asio::awaitable<ChatResult> SmtpChannel::read_reply(Stage stage)
{
    auto& s = *m_state;
    Stage effective;
    arm(stage, &effective);
    ChatResult r;
    r.stage = effective;
    for (;;) {
        if (m_buffer_begin < m_buffer_end) {
            std::string_view pending(m_buffer.data() + m_buffer_begin,
                                     m_buffer_end - m_buffer_begin);
            m_buffer_begin += m_parser.feed(pending);
            if (m_parser.state() != ReplyParser::State::incomplete) {
                break;
            }
        }
        m_buffer_begin = m_buffer_end = 0;
        boost::system::error_code ec;
        std::size_t n = 0;
        if (s.tls) {
            n = co_await s.tls->async_read_some(asio::buffer(m_buffer),
                                                asio::redirect_error(asio::use_awaitable, ec));
        } else {
            n = co_await s.socket.async_read_some(asio::buffer(m_buffer),
                                                  asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec) {
            disarm();
            co_return io_failure(effective, ec, true);
        }
        m_buffer_end = n;
    }
    disarm();
    std::int64_t ms = elapsed_ms();
    ReplyOutcome out = m_parser.take();
    if (!out.ok) {
        r.kind = ChatResult::Kind::protocol_error;
        r.error = out.error;
        event("protocol error: " + out.error);
        co_return r;
    }
    r.reply = std::move(out.reply);
    for (std::size_t i = 0; i < r.reply.lines.size(); ++i) {
        const bool final_line = i + 1 == r.reply.lines.size();
        if (final_line && r.reply.skipped_lines > 0) {
            // Where they were: between the kept lines and the final one.
            event(std::to_string(r.reply.skipped_lines) + " reply lines skipped here (limit " +
                  std::to_string(m_limits.peer.max_reply_lines) + " kept)");
        }
        std::string line = std::to_string(r.reply.code);
        line += final_line ? ' ' : '-';
        line += r.reply.lines[i];
        m_transcript.push_back({TranscriptLine::Dir::received, std::move(line), ms});
    }
    co_return r;
}

asio::awaitable<ChatResult> SmtpChannel::write_all(Stage stage, const std::string& bytes)
{
    auto& s = *m_state;
    Stage effective;
    arm(stage, &effective);
    boost::system::error_code ec;
    if (s.tls) {
        co_await asio::async_write(*s.tls, asio::buffer(bytes),
                                   asio::redirect_error(asio::use_awaitable, ec));
    } else {
        co_await asio::async_write(s.socket, asio::buffer(bytes),
                                   asio::redirect_error(asio::use_awaitable, ec));
    }
    disarm();
    if (ec) {
        co_return io_failure(effective, ec, false);
    }
    ChatResult r;
    r.stage = effective;
    co_return r;
}

asio::awaitable<ChatResult> SmtpChannel::command(Stage stage, std::string line)
{
    m_transcript.push_back({TranscriptLine::Dir::sent, line, elapsed_ms()});
    line += "\r\n";
    ChatResult w = co_await write_all(stage, line);
    if (!w.is_reply()) {
        co_return w;
    }
    co_return co_await read_reply(stage);
}

asio::awaitable<ChatResult> SmtpChannel::send_raw(Stage stage, std::string bytes, std::string note)
{
    m_transcript.push_back({TranscriptLine::Dir::sent, std::move(note), elapsed_ms()});
    co_return co_await write_all(stage, bytes);
}

asio::awaitable<ChatResult> SmtpChannel::send_group(Stage stage, std::vector<std::string> lines,
                                                    std::string bytes, std::string note)
{
    std::int64_t ms = elapsed_ms();
    if (!note.empty()) {
        m_transcript.push_back({TranscriptLine::Dir::sent, std::move(note), ms});
    }
    std::size_t size = bytes.size();
    for (const auto& line : lines) {
        size += line.size() + 2;
    }
    bytes.reserve(size);
    for (auto& line : lines) {
        bytes.append(line).append("\r\n");
        m_transcript.push_back({TranscriptLine::Dir::sent, std::move(line), ms});
    }
    co_return co_await write_all(stage, bytes);
}

asio::awaitable<ChatResult> SmtpChannel::start_tls(asio::ssl::context& context, std::string sni)
{
    auto& s = *m_state;
    s.tls.emplace(s.socket, context);
    SSL* ssl = s.tls->native_handle();
    if (!sni.empty()) {
        SSL_set_tlsext_host_name(ssl, sni.c_str());
        SSL_set1_host(ssl, sni.c_str());
    }
    Stage effective;
    arm(Stage::tls_handshake, &effective);
    boost::system::error_code ec;
    co_await s.tls->async_handshake(asio::ssl::stream_base::client,
                                    asio::redirect_error(asio::use_awaitable, ec));
    disarm();
    if (ec) {
        ChatResult r = io_failure(effective, ec, false);
        if (r.kind == ChatResult::Kind::io_error) {
            r.error = "TLS handshake failed: " + r.error;
        }
        s.tls.reset();
        co_return r;
    }
    TlsFacts facts = tls_facts();
    event("TLS established: " + facts.version + " " + facts.cipher +
          (facts.verified ? ", certificate verified"
                          : ", certificate NOT verified: " + facts.verify_error));
    ChatResult r;
    r.stage = effective;
    co_return r;
}

TlsFacts SmtpChannel::tls_facts() const
{
    if (!m_state->tls) {
        return {};
    }
    return describe_tls(const_cast<SSL*>(m_state->tls->native_handle()));
}

} // namespace smtpprobe::probe
