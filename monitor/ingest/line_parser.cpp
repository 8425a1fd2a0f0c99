// Framing of maillog lines and dispatch to the MTA parsers (see line_parser.hpp).
#include "monitor/ingest/line_parser.hpp"

#include "monitor/ingest/field_scan.hpp"
#include "monitor/ingest/mta_parsers.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::ingest {

std::string_view mta_name(Mta mta)
{
    switch (mta) {
    case Mta::sendmail:
        return "sendmail";
    case Mta::postfix:
        return "postfix";
    case Mta::exim:
        return "exim";
    case Mta::opensmtpd:
        return "opensmtpd";
    case Mta::unknown:
        break;
    }
    return "unknown";
}

std::optional<LogFormat> parse_log_format(std::string_view name)
{
    if (name == "auto") {
        return LogFormat::automatic;
    }
    if (name == "sendmail") {
        return LogFormat::sendmail;
    }
    if (name == "postfix") {
        return LogFormat::postfix;
    }
    if (name == "exim") {
        return LogFormat::exim;
    }
    if (name == "opensmtpd") {
        return LogFormat::opensmtpd;
    }
    return std::nullopt;
}

namespace {

// "postfix/smtp[123]:" -> program "postfix/smtp"; false when token is not a tag.
bool split_tag(std::string_view token, std::string_view& program)
{
    if (token.size() < 2 || token.back() != ':') {
        return false;
    }
    token.remove_suffix(1);
    if (token.back() == ']') {
        std::size_t open = token.rfind('[');
        if (open == std::string_view::npos || open == 0) {
            return false;
        }
        token = token.substr(0, open);
    }
    if (token.empty() || token.find('=') != std::string_view::npos) {
        return false;
    }
    program = token;
    return true;
}

} // namespace

LineParser::LineParser(TimeParser& time, LogFormat format) : m_time(time), m_format(format) {}

RecordKind LineParser::parse(std::string_view line, LogRecord& record)
{
    record.clear();
    if (!line.empty() && line.front() == '{') {
        record.kind = parse_json(line, record);
        return record.kind;
    }
    // Exim writes the later lines of a multi-line entry indented (" Suggested action: ..."):
    // continuation text, not a line of its own.
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') &&
        (m_format == LogFormat::automatic || m_format == LogFormat::exim)) {
        return record.kind = RecordKind::ignored;
    }
    std::size_t used = m_time.parse(line, record.time);
    if (used == 0 || used >= line.size() || line[used] != ' ') {
        return record.kind = RecordKind::unparseable;
    }
    std::string_view rest = line.substr(used + 1);
    while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    // Exim's own main log: no host, no tag; the message id (or "[pid] ") comes next.
    if ((m_format == LogFormat::automatic || m_format == LogFormat::exim) &&
        looks_like_exim(rest)) {
        record.program = "exim";
        return record.kind = m_context.complete(record, parse_exim(rest, record));
    }
    std::string_view first = scan::take_token(rest);
    std::string_view program;
    if (!split_tag(first, program)) {
        record.host = first;
        std::string_view second = scan::take_token(rest);
        if (!split_tag(second, program)) {
            // Exim main log lines that are not about a message ("Start queue run") or
            // another program's free text: well-formed but not ours.
            return record.kind = RecordKind::foreign;
        }
    }
    record.program = program;
    return record.kind = m_context.complete(record, parse_tagged(program, rest, record));
}

RecordKind LineParser::parse_tagged(std::string_view program, std::string_view message,
                                    LogRecord& record)
{
    std::string_view service = program.substr(program.rfind('/') + 1);
    switch (m_format) {
    case LogFormat::sendmail:
        return parse_sendmail(message, record);
    case LogFormat::postfix:
        return parse_postfix(service, message, record);
    case LogFormat::exim:
        return parse_exim(message, record);
    case LogFormat::opensmtpd:
        return parse_opensmtpd(message, record);
    case LogFormat::automatic:
        break;
    }
    if (scan::starts_with(program, "postfix")) {
        return parse_postfix(service, message, record);
    }
    if (program == "sm-mta" || program == "sendmail" || program == "sm-msp-queue") {
        return parse_sendmail(message, record);
    }
    if (scan::starts_with(program, "exim")) {
        return parse_exim(message, record);
    }
    if (program == "smtpd" || program == "opensmtpd") {
        return parse_opensmtpd(message, record);
    }
    return RecordKind::foreign;
}

RecordKind LineParser::parse_json(std::string_view line, LogRecord& record)
{
    nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return RecordKind::unparseable;
    }
    auto text = [&](const char* key, std::string& out) {
        auto found = doc.find(key);
        if (found == doc.end() || !found->is_string()) {
            return false;
        }
        out = found->get<std::string>();
        return true;
    };
    std::string stamp;
    if (!text("MESSAGE", m_json_message) || !text("__REALTIME_TIMESTAMP", stamp)) {
        return RecordKind::unparseable; // binary MESSAGE arrives as a byte array
    }
    std::int64_t micros = 0;
    if (!scan::to_int(stamp, micros) || micros < 0) {
        return RecordKind::unparseable;
    }
    record.time = micros / 1000000;
    if (text("_HOSTNAME", m_json_host)) {
        record.host = m_json_host;
    }
    if (!text("SYSLOG_IDENTIFIER", m_json_program)) {
        m_json_program.clear();
    }
    record.program = m_json_program;
    if (m_json_program.empty()) {
        return RecordKind::foreign;
    }
    return m_context.complete(record, parse_tagged(m_json_program, m_json_message, record));
}

} // namespace smtpprobe::ingest
