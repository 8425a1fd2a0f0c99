// Shared by the parser tests: one table row (a real log line and what must come out of it)
// and the check that runs it through LineParser in UTC with a fixed reference time.
#pragma once

#include "monitor/ingest/line_parser.hpp"

#include <doctest/doctest.h>
#include <string>

namespace smtpprobe::ingest::test {

struct ParseCase {
    const char* line;
    RecordKind kind;
    Mta mta;
    const char* time = ""; // ISO UTC; "" = not checked
    const char* queue_id = "";
    const char* recipient = "";
    const char* relay_host = "";
    const char* relay_ip = "";
    int relay_port = 0;
    const char* dsn = "";
    const char* status = "";
    const char* reply_prefix = ""; // the reply must start with this
    const char* host = "";
    const char* sender = "";
};

// 2026-11-22T12:00:00Z: classic stamps after it belong to 2025.
constexpr std::int64_t k_reference = 1795348800;

inline void check_case(const ParseCase& c, LogFormat format = LogFormat::automatic)
{
    TimeZone zone("UTC");
    TimeParser time(zone, k_reference);
    LineParser parser(time, format);
    LogRecord record;
    CAPTURE(c.line);
    RecordKind kind = parser.parse(c.line, record);
    CHECK(static_cast<int>(kind) == static_cast<int>(c.kind));
    CHECK(mta_name(record.mta) == mta_name(c.mta));
    if (*c.time != '\0') {
        CHECK(format_utc(record.time) == c.time);
    }
    CHECK(record.queue_id == c.queue_id);
    CHECK(record.recipient == c.recipient);
    CHECK(record.relay_host == c.relay_host);
    CHECK(record.relay_ip == c.relay_ip);
    CHECK(record.relay_port == c.relay_port);
    CHECK(record.dsn == c.dsn);
    CHECK(record.status == c.status);
    CHECK(record.reply.substr(0, std::string_view(c.reply_prefix).size()) == c.reply_prefix);
    CHECK(record.host == c.host);
    CHECK(record.sender == c.sender);
}

} // namespace smtpprobe::ingest::test
