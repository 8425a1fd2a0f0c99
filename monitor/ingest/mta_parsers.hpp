// One parser per MTA for the message part of a log line (after the timestamp, host and
// syslog tag). Each fills the MTA fields of record (time and host are set by the caller) and
// returns its kind; a line of that MTA that says nothing we store is RecordKind::ignored.
#pragma once

#include "monitor/ingest/log_record.hpp"

#include <string_view>

namespace smtpprobe::ingest {

// sendmail / sm-mta: "QID: to=..., stat=...", "QID: from=..., size=...",
// "QID: NEWQID: DSN: Return receipt".
RecordKind parse_sendmail(std::string_view message, LogRecord& record);

// Postfix; service is the part of the syslog tag after the last '/' ("smtp", "qmgr", ...).
RecordKind parse_postfix(std::string_view service, std::string_view message, LogRecord& record);

// Exim main log, after the timestamp (and, for syslog, after the "exim[pid]: " tag):
// "[pid] MSGID => addr R=... T=... H=host [ip] C=\"250 ...\"", "**", "==", "->", "<=".
RecordKind parse_exim(std::string_view message, LogRecord& record);

// OpenSMTPD (smtpd[pid]:): "SID mta delivery evpid=... to=<...> ... result=\"...\" stat=\"...\"",
// "SID mda delivery ...", "SID smtp envelope evpid=... from=<...>".
RecordKind parse_opensmtpd(std::string_view message, LogRecord& record);

// Whether message looks like an Exim main-log message (starts with an Exim message id or
// "[pid] "): used to recognise Exim's own log file, which has no syslog tag.
bool looks_like_exim(std::string_view message);

} // namespace smtpprobe::ingest
