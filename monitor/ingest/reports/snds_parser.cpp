// SNDS CSV feeds → SndsFeed (see snds_feed.hpp).
#include "monitor/ingest/reports/snds_feed.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdio>
#include <map>

namespace smtpprobe::ingest {

namespace {

constexpr std::size_t k_max_field = 1000;

// One CSV line split into fields (RFC 4180 quoting: "a,b" and "" inside quotes).
std::vector<std::string> split_csv(std::string_view line)
{
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else if (fields.back().size() < k_max_field) {
                fields.back() += c;
            }
        } else if (c == '"' && fields.back().empty()) {
            quoted = true;
        } else if (c == ',') {
            if (fields.size() >= 64) {
                break;
            }
            fields.emplace_back();
        } else if (fields.back().size() < k_max_field) {
            fields.back() += c;
        }
    }
    for (std::string& f : fields) {
        const auto first = f.find_first_not_of(" \t");
        const auto last = f.find_last_not_of(" \t");
        f = first == std::string::npos ? std::string() : f.substr(first, last - first + 1);
    }
    return fields;
}

std::string normalise_name(const std::string& header)
{
    std::string out;
    for (char c : header) {
        if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            out += c;
        }
    }
    return out;
}

std::string upper(std::string s)
{
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return s;
}

bool parses_as_ip(const std::string& text)
{
    boost::system::error_code ec;
    boost::asio::ip::make_address(text, ec);
    return !ec;
}

std::optional<std::int64_t> number(const std::string& s)
{
    if (s.empty()) {
        return std::int64_t{0}; // SNDS leaves a count empty when there is none
    }
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
        return std::nullopt;
    }
    return v;
}

std::optional<double> percent(const std::string& s)
{
    std::size_t i = s.find_first_of("0123456789");
    if (i == std::string::npos) {
        return std::nullopt;
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc()) {
        return std::nullopt;
    }
    return v;
}

std::optional<bool> yes_no(const std::string& s)
{
    const std::string u = upper(s);
    if (u == "YES" || u == "TRUE" || u == "1") {
        return true;
    }
    if (u == "NO" || u == "FALSE" || u == "0") {
        return false;
    }
    return std::nullopt;
}

// Data-feed columns, by position in the classic headerless export.
enum Column {
    c_ip,
    c_start,
    c_end,
    c_rcpt,
    c_data,
    c_recipients,
    c_filter,
    c_complaint,
    c_trap_start,
    c_trap_end,
    c_trap_hits,
    c_helo,
    c_mail_from,
    c_comments,
    c_count
};

using ColumnMap = std::array<int, c_count>; // column → field index, -1 when absent

ColumnMap classic_columns()
{
    ColumnMap map{};
    for (int i = 0; i < c_count; ++i) {
        map[static_cast<std::size_t>(i)] = i;
    }
    return map;
}

// A header line of the data feed: columns by name. nullopt when the line is not one.
std::optional<ColumnMap> header_columns(const std::vector<std::string>& fields)
{
    static const std::map<std::string, Column> k_names = {
        {"ipaddress", c_ip},
        {"ip", c_ip},
        {"activitystart", c_start},
        {"activityperiod", c_start},
        {"activityend", c_end},
        {"rcptcommands", c_rcpt},
        {"datacommands", c_data},
        {"messagerecipients", c_recipients},
        {"filterresult", c_filter},
        {"filterresults", c_filter},
        {"complaintrate", c_complaint},
        {"trapmessagestart", c_trap_start},
        {"trapmessageperiod", c_trap_start},
        {"trapmessageend", c_trap_end},
        {"traphits", c_trap_hits},
        {"samplehelo", c_helo},
        {"jmrp1sender", c_mail_from},
        {"samplemailfrom", c_mail_from},
        {"comments", c_comments},
    };
    ColumnMap map;
    map.fill(-1);
    int known = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        auto it = k_names.find(normalise_name(fields[i]));
        if (it != k_names.end() && map[it->second] < 0) {
            map[it->second] = static_cast<int>(i);
            ++known;
        }
    }
    if (map[c_ip] < 0 || known < 3) {
        return std::nullopt;
    }
    return map;
}

const std::string& field(const std::vector<std::string>& fields, const ColumnMap& map, Column c)
{
    static const std::string empty;
    const int i = map[c];
    return i >= 0 && static_cast<std::size_t>(i) < fields.size() ? fields[i] : empty;
}

std::optional<SndsDataRow> data_row(const std::vector<std::string>& f, const ColumnMap& map,
                                    int line, std::string& why)
{
    SndsDataRow row;
    row.line = line;
    row.ip = field(f, map, c_ip);
    if (!parses_as_ip(row.ip)) {
        why = "the first field is not an IP address";
        return std::nullopt;
    }
    row.start = snds_time_to_iso(field(f, map, c_start));
    row.end = snds_time_to_iso(field(f, map, c_end));
    auto rcpt = number(field(f, map, c_rcpt));
    auto data = number(field(f, map, c_data));
    auto recipients = number(field(f, map, c_recipients));
    auto traps = number(field(f, map, c_trap_hits));
    if (!rcpt || !data || !recipients || !traps) {
        why = "a count (RCPT, DATA, recipients or trap hits) is not a number";
        return std::nullopt;
    }
    row.rcpt_commands = *rcpt;
    row.data_commands = *data;
    row.recipients = *recipients;
    row.trap_hits = *traps;
    row.filter = upper(field(f, map, c_filter));
    if (!row.filter.empty() && row.filter != "GREEN" && row.filter != "YELLOW" &&
        row.filter != "RED") {
        why = "filter result is not GREEN, YELLOW or RED";
        return std::nullopt;
    }
    row.complaint_rate = field(f, map, c_complaint);
    row.complaint_percent = percent(row.complaint_rate);
    row.trap_start = snds_time_to_iso(field(f, map, c_trap_start));
    row.trap_end = snds_time_to_iso(field(f, map, c_trap_end));
    row.sample_helo = field(f, map, c_helo);
    row.sample_mail_from = field(f, map, c_mail_from);
    row.comments = field(f, map, c_comments);
    return row;
}

std::optional<SndsStatusRow> status_row(const std::vector<std::string>& f, int line,
                                        std::string& why)
{
    if (f.size() < 3 || f.size() > 5) {
        why = "an IP status row has 4 fields (first IP, last IP, blocked, reason)";
        return std::nullopt;
    }
    SndsStatusRow row;
    row.line = line;
    row.first_ip = f[0];
    row.last_ip = f[1];
    if (!parses_as_ip(row.first_ip) || !parses_as_ip(row.last_ip)) {
        why = "the range's first or last IP is not an IP address";
        return std::nullopt;
    }
    auto blocked = yes_no(f[2]);
    if (!blocked) {
        why = "the blocked field is not Yes or No";
        return std::nullopt;
    }
    row.blocked = *blocked;
    row.reason = f.size() > 3 ? f[3] : std::string();
    return row;
}

} // namespace

std::string snds_time_to_iso(std::string_view text)
{
    int month = 0, day = 0, year = 0, hour = 0, minute = 0;
    char ampm[3] = {0, 0, 0};
    const std::string s(text.substr(0, 64));
    const int n =
        std::sscanf(s.c_str(), "%d/%d/%d %d:%d %2s", &month, &day, &year, &hour, &minute, ampm);
    if (n < 3 || month < 1 || month > 12 || day < 1 || day > 31 || year < 1990 || year > 9999) {
        return {};
    }
    if (n >= 6) {
        const std::string marker = upper(ampm);
        if (hour < 1 || hour > 12 || (marker != "AM" && marker != "PM")) {
            return {};
        }
        hour = hour % 12 + (marker == "PM" ? 12 : 0);
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
        return {};
    }
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:00Z", year, month, day, hour, minute);
    return out;
}

bool ip_in_range(const std::string& ip, const std::string& first, const std::string& last)
{
    namespace aip = boost::asio::ip;
    boost::system::error_code e1, e2, e3;
    const aip::address a = aip::make_address(ip, e1);
    const aip::address lo = aip::make_address(first, e2);
    const aip::address hi = aip::make_address(last, e3);
    if (e1 || e2 || e3 || a.is_v4() != lo.is_v4() || a.is_v4() != hi.is_v4()) {
        return false;
    }
    if (a.is_v4()) {
        const auto v = a.to_v4().to_bytes(), l = lo.to_v4().to_bytes(), h = hi.to_v4().to_bytes();
        return l <= v && v <= h;
    }
    const auto v = a.to_v6().to_bytes(), l = lo.to_v6().to_bytes(), h = hi.to_v6().to_bytes();
    return l <= v && v <= h;
}

SndsFeed parse_snds_feed(std::string_view csv, SndsFeedKind kind)
{
    SndsFeed feed;
    if (csv.size() > k_max_snds_bytes) {
        feed.malformed.push_back({0, "feed larger than 16 MiB"});
        return feed;
    }
    if (csv.substr(0, 3) == "\xEF\xBB\xBF") {
        csv.remove_prefix(3);
    }
    std::optional<ColumnMap> columns;
    int line_number = 0;
    while (!csv.empty()) {
        const auto nl = csv.find('\n');
        std::string_view line = csv.substr(0, nl);
        csv = nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line.find_first_not_of(" \t,") == std::string_view::npos) {
            continue;
        }
        const std::vector<std::string> fields = split_csv(line);
        if (!parses_as_ip(fields[0])) {
            if (auto header = header_columns(fields)) {
                columns = header;
                continue;
            }
            if (line_number == 1 && fields.size() >= 4) {
                continue; // a header line of the IP status feed ("First IP,Last IP,...")
            }
        }
        if (++feed.rows > k_max_snds_rows) {
            feed.malformed.push_back({line_number, "more than 100000 rows: the rest skipped"});
            break;
        }
        std::string why;
        const bool as_status = kind == SndsFeedKind::ip_status ||
                               (kind == SndsFeedKind::by_content && !columns && fields.size() <= 5);
        if (as_status) {
            if (auto row = status_row(fields, line_number, why)) {
                feed.status.push_back(std::move(*row));
                continue;
            }
        } else {
            const ColumnMap map = columns ? *columns : classic_columns();
            if (!columns && fields.size() < 11) {
                why = "a data row has at least 11 fields (IP, activity, counts, filter, ...)";
            } else if (auto row = data_row(fields, map, line_number, why)) {
                feed.data.push_back(std::move(*row));
                continue;
            }
        }
        feed.malformed.push_back({line_number, why});
    }
    return feed;
}

} // namespace smtpprobe::ingest
