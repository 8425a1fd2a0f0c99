// What one maillog line says, as views into the line (or into the parser's own buffer for
// journald JSON input). A record lives until the next line is parsed: the ingester copies what
// it keeps. Parsers fill it without allocating.
#pragma once

#include <cstdint>
#include <string_view>

namespace smtpprobe::ingest {

enum class Mta { unknown, sendmail, postfix, exim, opensmtpd };

// The input format: auto detects per line; the others force one MTA's parser.
enum class LogFormat { automatic, sendmail, postfix, exim, opensmtpd };

enum class RecordKind {
    ignored,         // a mail line we understand but do not store (connect, cleanup, ...)
    delivery,        // one delivery attempt: to=, =>, **, ==, mta delivery ...
    message_from,    // sender and size of a queued message (sendmail/postfix from=, exim <=)
    message_removed, // the message left the queue (postfix "removed", exim "Completed")
    receipt,         // our server generated a success DSN ("DSN: Return receipt"): backscatter
    foreign,         // a well-formed line from a program that is not an MTA we know
    unparseable,     // no timestamp, or a mail line we could not read
};

// Returns "sendmail", "postfix", "exim", "opensmtpd" or "unknown".
std::string_view mta_name(Mta mta);

// What a line says about later lines of the same log (read by LogContext, not stored):
//   dsn_generated  Exim "<= <> R=PARENT": our server generated a DSN for message PARENT
//                  (dsn_parent); OpenSMTPD "smtp envelope ... from=<>" in a session of its
//                  own (a bounce or receipt it injected; recipient = the DSN's addressee)
//   local_session  OpenSMTPD "smtp connected address=local": smtpd talking to itself
//   host_seen      Exim "MSGID H=host [ip] error": the host a following "==" line omits
enum class LineHint : std::uint8_t { none, dsn_generated, local_session, host_seen };

struct LogRecord {
    RecordKind kind = RecordKind::unparseable;
    Mta mta = Mta::unknown;
    std::int64_t time = 0; // seconds since the epoch, UTC
    std::string_view host; // syslog host field ("" when the line has none)
    std::string_view program;
    std::string_view queue_id;
    std::string_view recipient;
    std::string_view orig_recipient;
    std::string_view sender;
    std::string_view relay_host;
    std::string_view relay_ip;
    int relay_port = 0; // 0 when absent
    double delay = -1;  // seconds; -1 when absent
    std::int64_t size = -1;
    int recipients = -1;      // sendmail from= nrcpts: recipients after aliasing; -1 when absent
    std::string_view dsn;     // "5.7.1"
    std::string_view status;  // sent | deferred | bounced | expired | Sent | User unknown ...
    std::string_view reply;   // the remote reply / explanation (what the classifier reads)
    std::string_view command; // the SMTP command the reply answered ("RCPT", "DATA",
                              // "CONNECT", ...) when the line says it; "" otherwise
    std::string_view detail;  // receipt: the DSN queue id and text
    bool local = false;       // local delivery (mailer=local, postfix/local, exim appendfile)
    LineHint hint = LineHint::none;
    std::string_view session;     // OpenSMTPD session id
    std::string_view dsn_parent;  // Exim: the message a generated DSN answers
    bool reply_truncated = false; // the MTA cut the reply (sendmail "..."): classified from
                                  // what is left

    void clear() { *this = LogRecord{}; }
};

} // namespace smtpprobe::ingest
