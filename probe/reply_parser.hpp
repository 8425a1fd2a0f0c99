// Incremental SMTP reply parser: fed the bytes read from the socket in whatever pieces they
// arrive, it assembles one reply at a time. Every limit is enforced while reading: a line is
// kept up to PeerLimits::max_line_bytes (the excess is skipped), lines beyond max_reply_lines
// are counted and skipped (the first max_reply_lines - 1 and the final line are kept), and a
// reply larger than max_reply_bytes ends as a protocol error.
// Memory is bounded by max_line_bytes x (max_reply_lines + 1), whatever the peer sends.
//
// Contract: feed() never throws for peer bytes; garbage instead of a code, codes that change
// between lines, or a reply too large become state() == error with a reason. Lines end with
// CRLF; a bare LF is accepted (as Postfix's client does) and noted.
#pragma once

#include "probe/limits.hpp"
#include "probe/reply.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace smtpprobe::probe {

class ReplyParser {
public:
    enum class State { incomplete, complete, error };

    explicit ReplyParser(PeerLimits limits = {});

    // Consumes bytes up to the end of the current reply (or all of them); returns how many
    // were consumed. Bytes after a complete reply are left for the next one.
    std::size_t feed(std::string_view bytes);
    State state() const { return m_state; }
    // The peer closed the connection: a reply in progress becomes a protocol error.
    void end_of_stream();
    // Takes the finished reply (or error) and resets the parser for the next reply.
    ReplyOutcome take();
    // Bytes of the current reply consumed so far.
    std::size_t bytes_seen() const { return m_bytes; }

private:
    void finish_line();
    void fail(std::string reason);

    PeerLimits m_limits;
    State m_state = State::incomplete;
    Reply m_reply;
    std::string m_line;
    bool m_line_cut = false;
    std::size_t m_bytes = 0;
    std::size_t m_line_count = 0;
    std::string m_error;
};

} // namespace smtpprobe::probe
