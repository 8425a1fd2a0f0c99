// Codes inside a receiver's prose: the SMTP reply code ("550"), the RFC 3463 enhanced status
// ("5.7.1", "#5.5.0") and the IP the receiver names ("messages from [1.2.3.4]"). Hand-written
// scanners over bounded text: linear, no regular expressions, never throw.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// The SMTP reply code of a diagnostic: the first standalone [245]xx number that starts the
// text, follows "said:" / "returned" / a quote / a colon, or starts a line; otherwise the
// first standalone one anywhere. Numbers inside IPs, dates or longer numbers never count.
std::optional<int> find_reply_code(std::string_view text);

// The first enhanced status code [245].x.y in text ("5.1.1", "(#5.5.0)"), "" if none. Parts
// of IP addresses or version numbers ("5.1.1.1", "v2.0.0.1") never count.
std::string find_enhanced_status(std::string_view text);

// The last "reply code + enhanced status" pair of the same class in text ("550 5.7.1",
// "550-'5.2.2", "<421 4.4.2 ...>"): the reply that ended the transaction when a report quotes
// several. Failure replies (4xx/5xx) win over success replies.
struct ReplyPair {
    int code = 0;
    std::string status;
};
std::optional<ReplyPair> find_last_reply_pair(std::string_view text);

// The SMTP command a report says the reply answered: "in reply to end of DATA command"
// (Postfix), "after RCPT TO" / "after end of data" / "after initial connection" (Exim),
// ">>> DATA" transcripts (sendmail), "SMTP command DATA", "most progress was RCPT TO"
// (qmail-remote-fallback), "did not like our RCPT TO" (DragonFly), "does not like
// recipient" / "but sender was rejected" / "but my name was rejected" / "failed on DATA
// command" (qmail-remote), "refused to talk to me" (Postfix, the banner), "Server response to
// MAIL FROM" (IMail). Returns CONNECT, HELO, MAIL, RCPT or DATA, "" when none is named.
std::string find_smtp_command(std::string_view text);

// The command a sendmail session transcript ("----- Transcript of session follows -----")
// shows our side sent for recipient: "RCPT" when a ">>> RCPT To:<recipient>" line is
// followed by a "<<< 4xx/5xx" reply, otherwise the last ">>> " command before the first
// "<<< " reply line naming recipient. "" when the text holds no such transcript.
std::string find_transcript_command(std::string_view text, std::string_view recipient);

// Whether status is a well-formed enhanced status code.
bool is_enhanced_status(std::string_view status);

// The first IPv4 address in text written in brackets or after "from"/"IP" (what a receiver
// names when it refuses an IP), "" if none.
std::string find_named_ip(std::string_view text);

} // namespace smtpprobe::ingest
