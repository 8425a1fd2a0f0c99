// Plain-text bounce reports that are not RFC 3464 (qmail, Exim, older Exchange, Gmail,
// Yahoo, Domino, Courier, sendmail v5 transcripts ...): general heuristics, not per-MTA
// templates. A recipient is announced by a line that is (or starts with) an address
// ("<a@b>:", "a@b on DATE", "  a@b", "Recipient: a@b", "RCPT TO:<a@b>"); the receiver's words
// are the lines that follow it up to the next recipient or the returned copy of the
// original. Reply code, enhanced status and remote host are then found in those words
// ("host X said: 550 ...", "Remote server returned '550 5.1.1 ...'", "(#5.5.0)").
#pragma once

#include "monitor/ingest/bounce/bounce_report.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

// Offset in text where the returned copy of the original message starts (a marker line such
// as "--- Below this line is a copy of the message." or a run of header lines), or
// text.size() when there is none.
std::size_t find_original_copy(std::string_view text);

// Recipients named in report prose. not_recipients: addresses that are never the failed
// recipient (the bounce's own To and From). format: the report's format; Postfix writes each
// recipient at the start of a line and indents the lines it wraps, so an address starting an
// indented line of a Postfix report continues the receiver's words. Every entry has its
// diagnostic, and the codes and remote host found in it. When no recipient line is found but
// the text carries a reply, one entry with an empty recipient is returned.
std::vector<RecipientReport> parse_text_report(std::string_view text,
                                               const std::vector<std::string>& not_recipients,
                                               ReportFormat format = ReportFormat::unknown);

// The first e-mail address in text, "" if none.
std::string first_address(std::string_view text);

// Plain text of an HTML part: tags dropped, common entities decoded, block tags as newlines.
std::string html_to_text(std::string_view html);

} // namespace smtpprobe::ingest
