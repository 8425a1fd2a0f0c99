// Streaming pieces of the message source: line-ending normalisation and mbox splitting that
// take their input in chunks of any size (a read buffer), so an mbox of any size is read with
// bounded memory: the message being assembled (at most max_message_bytes; beyond that only
// its size is counted) plus one partial line (at most k_max_held_line bytes).
//
// Contract: feeding a text in chunks cut anywhere yields exactly the messages (and the same
// bytes) that feeding it whole does; a CR at the end of one chunk and an LF at the start of
// the next make one line end.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// Converts CRLF and lone CR to LF across chunk boundaries.
class LineEndingNormaliser {
public:
    // Appends the normalised form of chunk to out.
    void normalise(std::string_view chunk, std::string& out);
    // Whether chunk (the next one) is its own normalised form: no CR in it, none before it.
    // The caller may then use chunk itself instead of normalise's copy.
    bool unchanged(std::string_view chunk) const
    {
        return !m_after_cr && chunk.find('\r') == std::string_view::npos;
    }

private:
    bool m_after_cr = false; // the previous chunk ended with CR: drop a leading LF
};

// A line longer than this is decided by its first bytes (a From_ line is at most 300 bytes
// long unless it follows a blank line) and then streamed on without being held.
inline constexpr std::size_t k_max_held_line = 64 * 1024;

// Splits an mbox with LF line endings into messages at From_ lines (after a blank line, or in
// full "From sender Www Mmm dd hh:mm:ss yyyy" form anywhere), unquoting ">From " lines
// (mboxrd). Each message is passed without its From_ line and without the blank line that
// precedes the next From_ line. Text before the first From_ line is ignored.
class MboxSplitter {
public:
    // message: the content (empty when oversized); oversized: over max_message_bytes.
    // Return false to stop: later feed()/finish() calls then do nothing.
    using Sink = std::function<bool(std::string& message, bool oversized)>;

    MboxSplitter(std::size_t max_message_bytes, Sink sink);

    // Consumes the next chunk. Returns false once the sink asked to stop.
    bool feed(std::string_view chunk);
    // Ends the input: hands over the last message. Returns false if the sink asked to stop.
    bool finish();

private:
    void line(std::string_view text, bool complete);
    bool starts_message(std::string_view text) const;
    void append(std::string_view text);
    bool flush();

    std::size_t m_max;
    Sink m_sink;
    std::string m_current;  // the message being assembled
    std::size_t m_size = 0; // its size, counted on after it went over m_max
    std::string m_partial;  // the start of a line whose end has not been read yet
    bool m_in_message = false;
    bool m_previous_blank = true;
    bool m_long_line = false;    // inside a line already handed on (longer than the limit)
    bool m_long_skipped = false; // ... and that line is a From_ line: its rest is dropped
    bool m_stopped = false;
};

} // namespace smtpprobe::ingest
