// A parsed SMTP reply (RFC 5321 section 4.2): the three-digit code, the enhanced status code
// of RFC 3463 when the first line carries one, and the text of every line. A reply that could
// not be parsed is a value too (ReplyOutcome with a protocol error), never an exception.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace smtpprobe::probe {

struct Reply {
    int code = 0;                   // 100..599
    std::string enhanced;           // "5.7.1", or "" when the first line carries none
    std::vector<std::string> lines; // text after "NNN-"/"NNN " of each kept line, raw bytes;
                                    // when lines were skipped, the last one is the final line
    std::size_t skipped_lines = 0;  // lines beyond the per-reply limit (counted, not kept), all
                                    // before the final line
    bool truncated = false;         // a line was cut at the line limit, or lines were skipped

    // 2 for 2xx, 3 for 3xx, ...
    int klass() const { return code / 100; }
    bool positive() const { return code >= 200 && code < 400; }
    // The lines joined by "\n" (raw peer bytes: escape with printable() before showing).
    std::string text() const;
    // "250-first\n250 last" style, as received (raw).
    std::string wire_text() const;
};

// What reading one reply gave: a reply, or a protocol error saying what was wrong.
struct ReplyOutcome {
    bool ok = false;
    Reply reply;       // valid when ok
    std::string error; // one sentence when !ok ("reply line without a code", ...)
};

// The enhanced status code (RFC 3463 "class.subject.detail") at the start of text, if its
// class matches the reply code's first digit (RFC 2034); "" otherwise.
std::string enhanced_status_prefix(int code, const std::string& text);

} // namespace smtpprobe::probe
