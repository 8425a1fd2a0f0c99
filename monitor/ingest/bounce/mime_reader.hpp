// MIME decoding of one message with GMime 3: the top-level headers, the leaf parts in
// document order (base64 / quoted-printable undone, text converted to UTF-8 from its
// charset), and the header fields of the returned original message (message/rfc822 or
// text/rfc822-headers). The bounce parser works on this neutral form, not on GMime objects.
// Only what the parser reads is decoded: the text of parts it never reads (attachments,
// images, HTML when there is a text/plain part) is left empty; GMime builds no object tree
// for message/* parts (registered as leaf parts): a returned original is read from its
// header block alone, delivery-status and feedback-report fields from their raw text.
//
// Contract: GMime is initialised once per process (thread-safe); a message GMime cannot
// parse yields std::nullopt; part texts are bounded to k_max_part_bytes each.
#pragma once

#include "monitor/ingest/bounce/bounce_report.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

inline constexpr std::size_t k_max_part_bytes = 1024 * 1024;

struct MimePart {
    std::string type; // lower case "text/plain", "message/delivery-status", ...
    std::string text; // decoded content (UTF-8 for text parts); "" for parts never read

    bool operator==(const MimePart&) const = default;
};

// A top-level header field that tells which software wrote a report (report_format reads
// them): the name in lower case and the decoded value, cut to k_max_marker_value bytes.
struct MarkerField {
    std::string name;
    std::string value;

    bool operator==(const MarkerField&) const = default;
};

inline constexpr std::size_t k_max_marker_fields = 24;
inline constexpr std::size_t k_max_marker_value = 512;

// Whether a top-level field named lower (lower case) is a marker field: Received, X-Mailer,
// Return-Path and the headers particular MTAs and services add to their reports
// (X-Failed-Recipients, X-MS-Exchange-Message-Is-Ndr, X-SES-Outgoing, X-YMailISG ...).
bool is_marker_field(std::string_view lower);

// Appends (name, value) to markers when name is a marker field and there is room; both MIME
// paths call it for every top-level field in order, so they keep the same fields.
void keep_marker_field(std::vector<MarkerField>& markers, std::string_view name,
                       std::string_view value);

struct MimeMessage {
    std::string message_id;           // without angle brackets
    std::string date;                 // Date header as given
    std::string from;                 // decoded
    std::string to;                   // decoded
    std::string subject;              // decoded
    std::string content_type;         // top-level "multipart/report"
    std::string report_type;          // its report-type parameter ("delivery-status")
    std::string auto_submitted;       // Auto-Submitted header
    bool autoreply_header = false;    // X-Autoreply / X-Autorespond / Precedence: auto_reply
    std::vector<MarkerField> markers; // top-level marker fields in order (is_marker_field)
    std::vector<MimePart> parts;      // leaf parts outside the returned original
    std::optional<OriginalMessage> original;

    bool operator==(const MimeMessage&) const = default;
};

// Makes sure GMime is initialised (call_once), with message/* registered as leaf parts (a
// process-wide GMime setting). Called by parse_mime itself.
void init_gmime();

// Parses a whole message (LF line endings). std::nullopt when it is not a message at all.
// Messages of the simple shape are read by parse_simple_mime (simple_mime.hpp), the others
// by parse_mime_with_gmime: the result is the same either way.
std::optional<MimeMessage> parse_mime(std::string_view content);

// Parses a whole message with GMime alone: the reference the fast path must agree with.
std::optional<MimeMessage> parse_mime_with_gmime(std::string_view content);

// Charsets in which ASCII bytes mean ASCII characters: text of ASCII bytes only is already
// UTF-8 in them (no converter needed).
bool is_ascii_superset(std::string_view charset);

// Parses a header block ("Name: value" lines, folded lines unfolded) for the fields of an
// original message; used for text/rfc822-headers and copies inlined in plain text.
OriginalMessage original_from_headers(std::string_view headers);

// An RFC 5322 date ("Thu, 29 Apr 2010 23:34:45 +0900") as ISO 8601 UTC
// ("2010-04-29T14:34:45Z"); "" when it cannot be read.
std::string iso_utc_date(std::string_view date);

} // namespace smtpprobe::ingest
