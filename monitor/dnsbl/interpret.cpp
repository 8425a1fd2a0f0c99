// The pure half of checker.hpp: interpret() and judge_test_entries(), the rules that keep an
// error answer, a broken zone or an NXDOMAIN-hijacking resolver from ever reading as "listed".
#include "monitor/dnsbl/checker.hpp"

#include <algorithm>

namespace smtpprobe::dnsbl {

namespace {

using dns::Answer;
using dns::Status;

bool in_127(const boost::asio::ip::address& address)
{
    return address.is_v4() && (address.to_v4().to_uint() >> 24) == 127;
}

// 127.255.255.0/24 is where lists put their error answers (Spamhaus: .252 typo in the zone
// name, .254 query through a public resolver, .255 too many queries).
bool is_error_code(const boost::asio::ip::address& address)
{
    return address.is_v4() && (address.to_v4().to_uint() >> 8) == 0x7fffff;
}

std::string error_code_meaning(const std::string& code)
{
    if (code == "127.255.255.252") {
        return "error answer " + code + ": the list says the zone name is wrong";
    }
    if (code == "127.255.255.254") {
        return "error answer " + code +
               ": the list refuses queries through public/open resolvers (use your own "
               "resolver, or a DQS key for Spamhaus)";
    }
    if (code == "127.255.255.255") {
        return "error answer " + code + ": too many queries (rate limited by the list)";
    }
    return "error answer " + code + " from the list";
}

void append(std::string& text, const std::string& more)
{
    if (!more.empty()) {
        text += (text.empty() ? "" : "; ") + more;
    }
}

} // namespace

const char* to_string(Listing listing)
{
    switch (listing) {
    case Listing::listed:
        return "listed";
    case Listing::clean:
        return "clean";
    case Listing::unknown:
        return "unknown";
    }
    return "unknown";
}

const char* to_string(ZoneHealth health)
{
    switch (health) {
    case ZoneHealth::ok:
        return "ok";
    case ZoneHealth::dead:
        return "dead";
    case ZoneHealth::lists_everything:
        return "lists-everything";
    case ZoneHealth::unverified:
        return "unverified";
    }
    return "unverified";
}

ZoneHealth judge_test_entries(const Answer& listed_entry, const Answer& unlisted_entry,
                              std::string* detail, bool ipv6)
{
    const std::string listed_name = ipv6 ? "::FFFF:7F00:2" : "127.0.0.2";
    const std::string unlisted_name = ipv6 ? "::FFFF:7F00:1" : "127.0.0.1";
    auto say = [&](std::string text) {
        if (detail != nullptr) {
            *detail = std::move(text);
        }
    };
    // 127.0.0.1 must never be listed; any address answer there (also a non-127 one from a
    // resolver that rewrites NXDOMAIN) means every other answer is worthless.
    if (unlisted_entry.status == Status::ok && !unlisted_entry.addresses.empty() &&
        !is_error_code(unlisted_entry.addresses.front())) {
        say("lists everything: its never-listed test entry " + unlisted_name + " is listed (" +
            unlisted_entry.addresses.front().to_string() + ")");
        return ZoneHealth::lists_everything;
    }
    if (listed_entry.status == Status::nxdomain || listed_entry.status == Status::nodata) {
        say("looks dead: its test entry " + listed_name + " is not listed");
        return ZoneHealth::dead;
    }
    if (listed_entry.status != Status::ok) {
        say("test entry not verified: " + listed_entry.error);
        return ZoneHealth::unverified;
    }
    for (const auto& address : listed_entry.addresses) {
        if (is_error_code(address) || !in_127(address)) {
            say("test entry not verified: answer " + address.to_string());
            return ZoneHealth::unverified;
        }
    }
    if (unlisted_entry.status != Status::nxdomain && unlisted_entry.status != Status::nodata) {
        say("test entry " + unlisted_name + " not verified: " +
            (unlisted_entry.error.empty() ? std::string("error answer") : unlisted_entry.error));
        return ZoneHealth::unverified;
    }
    return ZoneHealth::ok;
}

ZoneCheck interpret(const DnsblZone& zone, const Answer& a, const Answer& txt, ZoneHealth health)
{
    ZoneCheck check;
    check.name = zone.name;
    check.zone = zone.zone;
    check.delist_url = zone.delist_url;
    if (txt.status == Status::ok) {
        check.txt = txt.texts;
    }
    if (a.status == Status::ok) {
        // Recorded whatever the verdict, sorted so stored rows compare across runs.
        for (const auto& address : a.addresses) {
            check.codes.push_back(address.to_string());
        }
        std::sort(check.codes.begin(), check.codes.end());
    }
    if (health == ZoneHealth::dead) {
        check.meaning = "zone looks dead (its test entry 127.0.0.2 is not listed)";
        return check;
    }
    if (health == ZoneHealth::lists_everything) {
        check.meaning = "zone lists everything (its test entry 127.0.0.1 is listed)";
        return check;
    }
    switch (a.status) {
    case Status::nxdomain:
    case Status::nodata:
        check.result = Listing::clean;
        check.txt.clear();
        return check;
    case Status::timeout:
    case Status::error:
        check.meaning = a.error;
        return check;
    case Status::ok:
        break;
    }
    bool any_abuse = false;
    bool any_policy = false;
    for (const auto& address : a.addresses) {
        const std::string code = address.to_string();
        if (is_error_code(address)) {
            check.result = Listing::unknown;
            check.meaning = error_code_meaning(code);
            return check;
        }
        if (!in_127(address)) {
            check.result = Listing::unknown;
            check.meaning = "answer " + code +
                            " is outside 127.0.0.0/8: not a list answer (a resolver rewriting "
                            "NXDOMAIN, or a wildcard)";
            return check;
        }
        auto it = zone.codes.find(code);
        if (it == zone.codes.end()) {
            append(check.meaning, "listed (code " + code + ")");
            any_abuse = true;
            continue;
        }
        append(check.meaning, it->second.meaning);
        any_abuse = any_abuse || it->second.kind == CodeKind::abuse;
        any_policy = any_policy || it->second.kind == CodeKind::policy;
    }
    if (!any_abuse && !any_policy) {
        check.result = Listing::clean; // informational codes only (a good reputation level)
        return check;
    }
    check.result = Listing::listed;
    check.policy = !any_abuse;
    return check;
}

bool DnsblReport::any_listed() const
{
    for (const IpReport& ip : ips) {
        for (const ZoneCheck& zone : ip.zones) {
            if (zone.result == Listing::listed) {
                return true;
            }
        }
    }
    return false;
}

bool DnsblReport::any_unknown() const
{
    for (const IpReport& ip : ips) {
        for (const ZoneCheck& zone : ip.zones) {
            if (zone.result == Listing::unknown) {
                return true;
            }
        }
    }
    return false;
}

} // namespace smtpprobe::dnsbl
