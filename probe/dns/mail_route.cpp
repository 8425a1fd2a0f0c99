// resolve_mail_route (resolver.hpp): RFC 5321 section 5.1 with RFC 7505. An IP literal is used
// as is; otherwise MX records are looked up, sorted by preference (equal preferences shuffled
// so load spreads as the RFC asks), and every MX host's A/AAAA records are resolved at once.
// No MX record: the name's own addresses (implicit MX). A lone "MX 0 ." is a null MX.
#include "probe/dns/gather.hpp"
#include "probe/dns/resolver.hpp"

#include <algorithm>
#include <map>
#include <random>

namespace smtpprobe::dns {

namespace asio = boost::asio;

namespace {

// The addresses of one host for the wanted families, IPv4 first; `error` says why none.
struct HostAddresses {
    std::vector<asio::ip::address> addresses;
    bool failed = false; // a query timed out or failed (as opposed to: no such records)
    bool nxdomain = false;
    std::string error;
};

asio::awaitable<HostAddresses> resolve_host(Resolver& resolver, std::string name, IpFamily family)
{
    std::vector<asio::awaitable<Answer>> queries;
    if (family != IpFamily::v6) {
        queries.push_back(resolver.query_a(name));
    }
    if (family != IpFamily::v4) {
        queries.push_back(resolver.query_aaaa(name));
    }
    std::vector<Answer> answers = co_await gather(std::move(queries));
    HostAddresses result;
    bool all_nxdomain = true;
    for (const Answer& answer : answers) {
        result.addresses.insert(result.addresses.end(), answer.addresses.begin(),
                                answer.addresses.end());
        if (answer.status == Status::timeout || answer.status == Status::error) {
            result.failed = true;
            result.error = answer.error;
        }
        all_nxdomain = all_nxdomain && answer.status == Status::nxdomain;
    }
    result.nxdomain = all_nxdomain;
    if (result.addresses.empty() && result.error.empty()) {
        const char* what = family == IpFamily::v4   ? "no IPv4 address"
                           : family == IpFamily::v6 ? "no IPv6 address"
                                                    : "no address";
        result.error = name + ": " + (all_nxdomain ? "no such name (NXDOMAIN)" : what);
    }
    co_return result;
}

const char* family_word(IpFamily family)
{
    return family == IpFamily::v4 ? "IPv4" : "IPv6";
}

std::string address_words(IpFamily family)
{
    return family == IpFamily::any ? "an address"
                                   : std::string("an ") + family_word(family) + " address";
}

// "[192.0.2.1]", "[IPv6:2001:db8::1]" (RFC 5321 address literals) or a bare address.
std::optional<asio::ip::address> parse_literal(const std::string& target)
{
    std::string text = target;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
        if (text.size() > 5 &&
            (text.compare(0, 5, "IPv6:") == 0 || text.compare(0, 5, "ipv6:") == 0)) {
            text = text.substr(5);
        }
    }
    boost::system::error_code ec;
    asio::ip::address address = asio::ip::make_address(text, ec);
    if (ec) {
        return std::nullopt;
    }
    return address;
}

MailRoute route_error(MailRoute::Kind kind, std::string why)
{
    MailRoute route;
    route.kind = kind;
    route.error = std::move(why);
    return route;
}

// Orders MX records by preference, shuffling each group of equal preference.
void order_by_preference(std::vector<Answer::Mx>& records)
{
    static thread_local std::mt19937 generator{std::random_device{}()};
    std::shuffle(records.begin(), records.end(), generator);
    std::stable_sort(records.begin(), records.end(), [](const Answer::Mx& a, const Answer::Mx& b) {
        return a.preference < b.preference;
    });
}

asio::awaitable<MailRoute> route_via_mx(Resolver& resolver, std::string target,
                                        std::vector<Answer::Mx> records, IpFamily family)
{
    // RFC 7505: "MX 0 ." alone means no mail; a "." beside real hosts is ignored.
    const bool only_null = std::all_of(records.begin(), records.end(),
                                       [](const Answer::Mx& mx) { return mx.host.empty(); });
    if (only_null) {
        co_return route_error(MailRoute::Kind::null_mx,
                              target + " accepts no mail (null MX, RFC 7505)");
    }
    std::erase_if(records, [](const Answer::Mx& mx) { return mx.host.empty(); });
    order_by_preference(records);

    std::vector<asio::awaitable<HostAddresses>> lookups;
    for (const Answer::Mx& mx : records) {
        lookups.push_back(resolve_host(resolver, mx.host, family));
    }
    std::vector<HostAddresses> resolved = co_await gather(std::move(lookups));

    MailRoute route;
    route.kind = MailRoute::Kind::mx;
    std::string failures;
    bool any_failed = false;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (resolved[i].addresses.empty()) {
            failures += (failures.empty() ? "" : "; ") + resolved[i].error;
            any_failed = any_failed || resolved[i].failed;
            continue;
        }
        route.hosts.push_back(
            {records[i].host, records[i].preference, std::move(resolved[i].addresses)});
    }
    if (route.hosts.empty()) {
        co_return route_error(MailRoute::Kind::error,
                              "no MX host of " + target + " has " + address_words(family) +
                                  (any_failed ? " (DNS failed)" : "") + ": " + failures);
    }
    // Hosts that did not resolve are left out; say so for the transcript.
    route.error = failures;
    co_return route;
}

} // namespace

asio::awaitable<MailRoute> resolve_mail_route(Resolver& resolver, std::string target,
                                              IpFamily family)
{
    while (!target.empty() && (target.back() == '.' || target.back() == ' ')) {
        target.pop_back();
    }
    if (target.empty()) {
        co_return route_error(MailRoute::Kind::error, "empty target");
    }
    if (std::optional<asio::ip::address> literal = parse_literal(target)) {
        if ((family == IpFamily::v4 && !literal->is_v4()) ||
            (family == IpFamily::v6 && !literal->is_v6())) {
            co_return route_error(MailRoute::Kind::error,
                                  target + " is not an " + family_word(family) + " address");
        }
        MailRoute route;
        route.kind = MailRoute::Kind::literal;
        route.hosts.push_back({literal->to_string(), 0, {*literal}});
        co_return route;
    }

    Answer mx = co_await resolver.query_mx(target);
    switch (mx.status) {
    case Status::ok:
        co_return co_await route_via_mx(resolver, target, std::move(mx.mx), family);
    case Status::nxdomain:
        co_return route_error(MailRoute::Kind::not_found, target + ": no such domain (NXDOMAIN)");
    case Status::timeout:
    case Status::error:
        co_return route_error(MailRoute::Kind::error, mx.error);
    case Status::nodata:
        break;
    }

    // No MX records: the name's own addresses are its implicit MX (RFC 5321 section 5.1).
    HostAddresses own = co_await resolve_host(resolver, target, family);
    if (own.addresses.empty()) {
        if (own.failed) {
            co_return route_error(MailRoute::Kind::error, own.error);
        }
        co_return route_error(MailRoute::Kind::not_found,
                              target + ": no MX record and no " +
                                  (family == IpFamily::any  ? "A/AAAA record"
                                   : family == IpFamily::v4 ? "A record"
                                                            : "AAAA record"));
    }
    MailRoute route;
    route.kind = MailRoute::Kind::implicit;
    route.hosts.push_back({target, 0, std::move(own.addresses)});
    co_return route;
}

} // namespace smtpprobe::dns
