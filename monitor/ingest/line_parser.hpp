// One maillog line -> LogRecord, whatever its framing, detected per line:
//   syslog:   TIMESTAMP [HOST] TAG[PID]: MESSAGE   (classic or ISO stamp, host optional)
//   exim:     TIMESTAMP [[PID]] MSGID ...           (Exim's own main log)
//   journald: {"MESSAGE": ..., "__REALTIME_TIMESTAMP": ..., ...}  (journalctl -o json)
// The syslog tag picks the MTA (sm-mta/sendmail, postfix*/..., exim*, smtpd); --format forces one
// MTA's parser for every tagged line. No allocation per line except for JSON input.
#pragma once

#include "monitor/ingest/log_context.hpp"
#include "monitor/ingest/log_record.hpp"
#include "monitor/ingest/log_time.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::ingest {

// Parses "auto", "sendmail", "postfix", "exim", "opensmtpd"; nullopt otherwise.
std::optional<LogFormat> parse_log_format(std::string_view name);

class LineParser {
public:
    LineParser(TimeParser& time, LogFormat format = LogFormat::automatic);

    // Fills record from line (views into line or into this parser) and returns its kind.
    RecordKind parse(std::string_view line, LogRecord& record);

private:
    RecordKind parse_tagged(std::string_view program, std::string_view message, LogRecord& record);
    RecordKind parse_json(std::string_view line, LogRecord& record);

    TimeParser& m_time;
    LogFormat m_format;
    LogContext m_context;
    std::string m_json_message;
    std::string m_json_host;
    std::string m_json_program;
};

} // namespace smtpprobe::ingest
