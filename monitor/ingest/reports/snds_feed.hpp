// Microsoft SNDS automated-access feeds (https://sendersupport.olc.protection.outlook.com/snds/)
// read into plain values. Two CSV feeds, with or without a header line:
//
//   IP status (ipStatus.aspx): first IP, last IP, blocked (Yes/No, True/False), reason. One
//     row per range of the account's IPs that Outlook.com blocks or junks.
//   Data (data.aspx): per IP and day, activity start and end, RCPT commands, DATA commands,
//     message recipients, filter result (GREEN | YELLOW | RED), complaint rate ("< 0.1%",
//     "0.5%"), trap message period start and end, trap hits, sample HELO, JMR P1 sender
//     (sample MAIL FROM), comments. A header line may name the columns instead (the newer
//     export: "Ip Address,Activity period,...,Trap message period,Trap hits,..."): columns
//     are then found by name.
//
// Contract: hostile input; never throws. A row that fits neither feed (wrong field count, an
// IP that does not parse, a count that is not a number) is skipped and reported with its line
// number and why. Times "M/D/YYYY h:mm AM" (UTC) become ISO 8601 UTC. Bounded: at most
// k_max_snds_rows rows, fields of at most 1000 bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

inline constexpr std::size_t k_max_snds_rows = 100000;
inline constexpr std::size_t k_max_snds_bytes = 16 * 1024 * 1024;

struct SndsStatusRow {
    int line = 0;
    std::string first_ip;
    std::string last_ip;
    bool blocked = false;
    std::string reason;
};

struct SndsDataRow {
    int line = 0;
    std::string ip;
    std::string start; // ISO 8601 UTC ("" when not given)
    std::string end;
    std::int64_t rcpt_commands = 0;
    std::int64_t data_commands = 0;
    std::int64_t recipients = 0;
    std::string filter;                      // GREEN | YELLOW | RED | "" (upper case)
    std::string complaint_rate;              // as given ("< 0.1%")
    std::optional<double> complaint_percent; // the number in it (0.1 for "< 0.1%")
    std::string trap_start;
    std::string trap_end;
    std::int64_t trap_hits = 0;
    std::string sample_helo;
    std::string sample_mail_from;
    std::string comments;
};

struct SndsMalformedRow {
    int line = 0;
    std::string why;
};

struct SndsFeed {
    std::vector<SndsStatusRow> status;
    std::vector<SndsDataRow> data;
    std::vector<SndsMalformedRow> malformed;
    std::uint64_t rows = 0; // non-empty lines read (header lines not counted)
};

// Which feed a text is expected to be: by_content reads each row as whichever it fits.
enum class SndsFeedKind { ip_status, data, by_content };

SndsFeed parse_snds_feed(std::string_view csv, SndsFeedKind kind = SndsFeedKind::by_content);

// Whether ip lies in [first, last] (same address family; false when any does not parse).
bool ip_in_range(const std::string& ip, const std::string& first, const std::string& last);

// "M/D/YYYY h:mm AM|PM" or "M/D/YYYY H:mm" → "YYYY-MM-DDTHH:MM:00Z"; "" when it does not parse.
std::string snds_time_to_iso(std::string_view text);

} // namespace smtpprobe::ingest
