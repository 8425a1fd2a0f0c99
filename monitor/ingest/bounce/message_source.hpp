// Where bounce messages come from: one message file, an mbox (From_ separated, mboxrd
// ">From " unquoted), a Maildir (cur/ and new/), a plain folder of message files, or stdin.
// Every message is handed over with its line endings normalised to LF (CRLF and lone CR
// become LF) and a stable identity (Message-ID + content hash) used to skip messages already
// ingested.
//
// Contract: reads are bounded and streamed: an mbox of any size is read in fixed-size chunks
// and split as it goes (mbox_splitter), so memory holds one message at a time; a message over
// k_max_message_bytes is reported as oversized and skipped, never loaded whole; an
// unreadable path throws SourceError naming it.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// A path that cannot be read (missing, permission, not a message store).
class SourceError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Bigger messages are skipped as malformed: bounces carry at most a copy of the original.
inline constexpr std::size_t k_max_message_bytes = 16 * 1024 * 1024;

// One message as read from its source.
struct SourceMessage {
    std::string path;       // file it came from ("-" for stdin)
    std::uint64_t index{0}; // position in an mbox (0 for single-message files)
    std::string content;    // the whole message, LF line endings
    bool oversized{false};  // over k_max_message_bytes: content is empty, count it and skip
    // When the message was delivered to its store, in seconds since the epoch, 0 when unknown:
    // a file holding one message (a Maildir entry) gives its modification time; an mbox
    // message and stdin give none.
    std::int64_t delivered_at{0};
};

// Called once per message, in source order; return false to stop reading. The message (and
// its content buffer) is reused for the next one: copy or move out what must outlive the call.
using MessageSink = std::function<bool(SourceMessage&)>;

// Reads every message under path ("-" = stdin): a directory with cur/ or new/ is a Maildir
// (both folders, names sorted), another directory is read file by file (names sorted); a
// file whose first line starts with "From " is an mbox, any other file one message.
// Throws SourceError when path cannot be read.
void read_messages(const std::string& path, const MessageSink& sink);

// Converts CRLF and lone CR to LF in place.
void normalise_line_endings(std::string& text);

// Splits an mbox held whole (LF endings) into messages, unquoting ">From " lines (mboxrd).
// Each message is passed without its From_ line. read_messages streams instead (MboxSplitter).
void split_mbox(std::string_view mbox, const std::function<bool(std::string&&)>& each);

// The identity of a message: "<message-id>|<hash of content>" (message-id may be empty).
// Equal for the same message read from a Maildir, an mbox or stdin.
std::string message_key(std::string_view content);

// The Message-ID header of the top-level message (raw, angle brackets kept), "" if none.
std::string top_message_id(std::string_view content);

} // namespace smtpprobe::ingest
