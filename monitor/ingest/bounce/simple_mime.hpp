// The fast path of the MIME reader: a bounded structural scan, written here, of messages of
// the common simple shape, giving exactly the MimeMessage the GMime walk (mime_reader) gives
// for them, without building GMime objects (which cost about half of a bounce's parse).
//
// Simple shape: LF line endings, no NUL byte; at most a leading mbox From_ line (skipped,
// as GMime does); every header block (the message's, each part's, a returned original's)
// made of well-formed fields only; Content-Type values of the plain form (header_block.hpp);
// multipart/* (not digest) nested at most k_max_simple_depth deep, each part ended by its own
// boundary, at most k_max_simple_parts leaf parts; and every part whose text is read
// (text/plain, delivery-status, feedback-report, rfc822-headers, message/rfc822, HTML when
// there is no text/plain) in 7bit, 8bit, binary, quoted-printable or base64. The decoding
// and charset conversion stay GMime's own (its stateless decoders and its charset filter,
// part_content.hpp): what the fast path saves is GMime's object tree, not its conversions.
// Parts that are not read (attachments, images, an HTML alternative) may be anything.
// A forwarded report (a message/rfc822 part that is a multipart/report) is read as GMime
// reads it: its parts join the list (one level of forwarding). Everything else (other
// transfer encodings, deeper forwarding, a boundary the body never
// uses, header oddities GMime repairs) is refused: std::nullopt, and the caller parses the
// message with GMime, which stays the reference.
//
// Contract: never throws on peer data; reads are bounded by the message; the result, when
// there is one, equals parse_mime_with_gmime(content) field for field (tested over the whole
// bounce corpus and hand-made edge cases, and asserted by the libFuzzer target).
#pragma once

#include "monitor/ingest/bounce/mime_reader.hpp"

#include <optional>
#include <string_view>

namespace smtpprobe::ingest {

inline constexpr int k_max_simple_depth = 8;
inline constexpr std::size_t k_max_simple_parts = 200;

// The MimeMessage of content (LF line endings) when it has the simple shape, else
// std::nullopt (then use parse_mime_with_gmime).
std::optional<MimeMessage> parse_simple_mime(std::string_view content);

} // namespace smtpprobe::ingest
