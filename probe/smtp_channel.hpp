// One SMTP connection (like Postfix's smtp_chat): a TCP socket, upgraded in place to TLS after
// STARTTLS, with a deadline armed before every stage, bounded reads through the ReplyParser,
// and every line sent or received appended to the transcript with elapsed milliseconds.
//
// Contract: no method throws for anything the peer does; the results are values (ChatResult).
// A deadline that passes cancels the socket and the result says kind == timeout with the
// stage. The channel must be used by one coroutine at a time on one io_context.
#pragma once

#include "probe/cancel_signal.hpp"
#include "probe/limits.hpp"
#include "probe/probe_result.hpp"
#include "probe/reply_parser.hpp"

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::probe {

struct ChatResult {
    enum class Kind { reply, timeout, protocol_error, io_error, cancelled };
    Kind kind = Kind::reply;
    Reply reply;                 // when kind == reply
    std::string error;           // one sentence otherwise
    Stage stage = Stage::banner; // the stage whose deadline applied (session when it was that)

    bool is_reply() const { return kind == Kind::reply; }
};

class SmtpChannel {
public:
    using Clock = std::chrono::steady_clock;

    // session_start: elapsed ms are counted from here; session_end: the whole-session
    // deadline, which wins over a stage deadline when nearer.
    SmtpChannel(boost::asio::any_io_executor executor, const Limits& limits,
                Clock::time_point session_start, Clock::time_point session_end,
                std::vector<TranscriptLine>& transcript, CancelSignal* cancel);
    ~SmtpChannel();
    SmtpChannel(const SmtpChannel&) = delete;
    SmtpChannel& operator=(const SmtpChannel&) = delete;

    // Opens a socket of the endpoint's family, binds source if given, connects. "" on success,
    // else the reason ("connection refused", "timeout (connect)", "cannot bind ...").
    boost::asio::awaitable<ChatResult> connect(boost::asio::ip::tcp::endpoint endpoint,
                                               std::optional<boost::asio::ip::address> source);
    // Reads one reply under the deadline of stage.
    boost::asio::awaitable<ChatResult> read_reply(Stage stage);
    // Sends one command line (CRLF added) and reads its reply, both under stage's deadline.
    boost::asio::awaitable<ChatResult> command(Stage stage, std::string line);
    // Sends raw bytes (a message body) under stage's deadline; the transcript gets `note`.
    boost::asio::awaitable<ChatResult> send_raw(Stage stage, std::string bytes, std::string note);
    // Sends in one write, under stage's deadline: `bytes` first (a message body, in the
    // transcript as `note`; both may be empty), then the command lines (CRLF added), each in
    // the transcript. For RFC 2920 pipelining: the caller reads one reply per line afterwards
    // with read_reply, in order.
    boost::asio::awaitable<ChatResult> send_group(Stage stage, std::vector<std::string> lines,
                                                  std::string bytes = {}, std::string note = {});
    // TLS handshake (after 220 to STARTTLS). sni may be "" (IP literal). On success the
    // channel speaks TLS from then on and tls_facts() describes the session.
    boost::asio::awaitable<ChatResult> start_tls(boost::asio::ssl::context& context,
                                                 std::string sni);
    TlsFacts tls_facts() const;

    // The local address of the connected socket ("" before connect or when unknown).
    std::string local_address() const;
    // Records an event in the transcript ("connected to ...").
    void event(std::string text);
    std::int64_t elapsed_ms() const;
    void close();
    // After the reply to QUIT: lets the server close first, as RFC 5321 4.1.1.10 has it (the
    // server closes after its 221), so the TIME_WAIT state stays on the server's side and a
    // probe host that runs thousands of sessions does not tie up its own ephemeral ports.
    // Waits for the end of the stream at most `limit` (and never past the session deadline),
    // dropping any bytes, then closes. Under TLS it closes at once. Returns at once: the wait
    // runs detached on the channel's executor and holds only the socket and its timer, so the
    // caller's session is over (the next one may start) while the server closes.
    void close_after_quit(std::chrono::milliseconds limit);

private:
    struct State;
    // Puts the stage deadline (the nearer of the stage's limit and the session deadline) on the
    // watchdog; *effective is the stage whose deadline applies.
    std::chrono::milliseconds arm(Stage stage, Stage* effective);
    void arm_until(Clock::time_point deadline);
    // The stage is over: a later firing of the watchdog does nothing.
    void disarm();
    static void start_wait(const std::shared_ptr<State>& state);
    static void watch_until(const std::shared_ptr<State>& state, Clock::time_point deadline);
    static void stop_watching(State& s);
    static boost::asio::awaitable<void> linger(std::shared_ptr<State> state,
                                               Clock::time_point until);
    boost::asio::awaitable<ChatResult> write_all(Stage stage, const std::string& bytes);
    ChatResult io_failure(Stage stage, const boost::system::error_code& ec, bool reading);

    std::shared_ptr<State> m_state;
    const Limits& m_limits;
    Clock::time_point m_start;
    Clock::time_point m_end;
    std::vector<TranscriptLine>& m_transcript;
    CancelSignal* m_cancel;
    std::uint64_t m_cancel_slot = 0;
    ReplyParser m_parser;
    std::array<char, 4096> m_buffer{};
    std::size_t m_buffer_begin = 0;
    std::size_t m_buffer_end = 0;
    std::string m_local_address; // of the connected socket ("" before, or when unknown)
    bool m_lingering = false;    // close_after_quit() handed the socket to linger()
};

} // namespace smtpprobe::probe
