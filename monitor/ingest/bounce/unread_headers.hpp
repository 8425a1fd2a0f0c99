// Leaves out of a message's top-level header the fields the bounce parser never reads
// (DKIM-Signature, Authentication-Results, ARC-*, most X-...: about half of a
// bounce's header) before GMime parses it: GMime builds and later frees an object per header
// field, which makes those fields the largest single cost of a parse. Fields kept: those
// mime_reader reads (From, To, Subject, Date, Message-ID, Auto-Submitted, X-Autoreply,
// X-Autorespond, Precedence, and the marker fields of is_marker_field: Received, X-Mailer ...)
// and every field GMime needs for the structure (MIME-Version, Content-*).
//
// Contract: what GMime sees of the kept fields, the blank line and the body is byte for byte
// the original; a header block with anything unusual (a line that is neither a well-formed
// field nor a continuation, a whitespace-only line) is not touched at all.
#pragma once

#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// Whether the bounce parser reads the top-level field name (or GMime needs it): the fields
// without_unread_headers keeps.
bool is_read_header(std::string_view name);

// content without the unread top-level fields; "" when there is nothing to leave out (or
// the header block is unusual): then parse content itself.
std::string without_unread_headers(std::string_view content);

} // namespace smtpprobe::ingest
