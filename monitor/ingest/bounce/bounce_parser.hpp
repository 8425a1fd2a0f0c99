// One bounce message (RFC 5322 text, LF line endings) into a BounceReport: MIME decoding
// (mime_reader), RFC 3464 fields (delivery_status), ARF feedback reports, and plain-text
// heuristics (text_report) for reports without a delivery-status part; plus the returned
// original message and the report kind (bounce, delay, receipt, complaint, autoreply).
//
// Contract: never throws on peer data; returns std::nullopt for input that is not a
// message or carries nothing a report would (no recipient, no status, no reply): the caller
// counts it as malformed.
#pragma once

#include "monitor/ingest/bounce/bounce_report.hpp"
#include "monitor/ingest/bounce/mime_reader.hpp"

#include <optional>
#include <string_view>

namespace smtpprobe::ingest {

std::optional<BounceReport> parse_bounce(std::string_view content);

// The report of a message already read by the MIME reader (parse_mime or one of its two
// paths); parse_bounce(content) is report_from_mime(*parse_mime(content)). Taken by value:
// the report moves the message's strings (ids, the original, the text parts) instead of
// copying them; pass std::move(mime) when it is not needed afterwards.
std::optional<BounceReport> report_from_mime(MimeMessage mime);

} // namespace smtpprobe::ingest
