// check_dnsbl (checker.hpp): builds every query (IP x zone x {A, TXT}, plus each zone's test
// entries), runs them all at once on the one resolver, then interprets the answers. One IP
// against twenty zones therefore costs about one round trip, not twenty.
#include "monitor/dnsbl/checker.hpp"

#include "probe/dns/gather.hpp"
#include "probe/dns/reverse_name.hpp"

// g++ 12 warns about Boost 1.74's awaitable frame allocator (operator new/delete of the
// coroutine frame it inlines); the pairing is Boost's own and correct.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace smtpprobe::dnsbl {

namespace asio = boost::asio;
using dns::Answer;

namespace {

asio::ip::address unmapped(const asio::ip::address& address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

asio::awaitable<Answer> no_query()
{
    Answer answer;
    answer.status = dns::Status::nodata;
    co_return answer;
}

// Indices into the answer vector of one zone's test-entry queries.
struct TestQueries {
    std::size_t v4_listed = 0, v4_unlisted = 0, v6_listed = 0, v6_unlisted = 0;
    bool v6 = false;
};

struct CheckQueries {
    std::size_t ip = 0, zone = 0, a = 0, txt = 0;
};

} // namespace

asio::awaitable<DnsblReport> check_dnsbl(dns::Resolver& resolver,
                                         std::vector<asio::ip::address> ips,
                                         std::vector<DnsblZone> zones, DnsblOptions options)
{
    bool any_v6 = false;
    for (auto& ip : ips) {
        ip = unmapped(ip);
        any_v6 = any_v6 || ip.is_v6();
    }
    DnsblReport report;
    std::vector<asio::awaitable<Answer>> queries;
    auto add = [&](asio::awaitable<Answer> query) {
        queries.push_back(std::move(query));
        return queries.size() - 1;
    };

    std::vector<TestQueries> tests(zones.size());
    const std::string v6_listed = dns::reversed_labels(asio::ip::make_address("::ffff:7f00:2"));
    const std::string v6_unlisted = dns::reversed_labels(asio::ip::make_address("::ffff:7f00:1"));
    if (options.test_entries) {
        for (std::size_t z = 0; z < zones.size(); ++z) {
            const std::string suffix = "." + query_zone(zones[z]);
            tests[z].v4_listed = add(resolver.query_a("2.0.0.127" + suffix));
            tests[z].v4_unlisted = add(resolver.query_a("1.0.0.127" + suffix));
            if (any_v6 && zones[z].ipv6) {
                tests[z].v6 = true;
                tests[z].v6_listed = add(resolver.query_a(v6_listed + suffix));
                tests[z].v6_unlisted = add(resolver.query_a(v6_unlisted + suffix));
            }
        }
    }

    std::vector<CheckQueries> checks;
    report.ips.resize(ips.size());
    for (std::size_t i = 0; i < ips.size(); ++i) {
        report.ips[i].ip = ips[i];
        const std::string labels = dns::reversed_labels(ips[i]);
        for (std::size_t z = 0; z < zones.size(); ++z) {
            if (ips[i].is_v6() && !zones[z].ipv6) {
                report.ips[i].skipped.push_back(zones[z].name + ": lists IPv4 addresses only");
                continue;
            }
            const std::string name = labels + "." + query_zone(zones[z]);
            CheckQueries check;
            check.ip = i;
            check.zone = z;
            check.a = add(resolver.query_a(name));
            // if/else, not ?: -- g++ 12 mishandles conditional expressions of awaitables.
            if (options.txt) {
                check.txt = add(resolver.query_txt(name));
            } else {
                check.txt = add(no_query());
            }
            checks.push_back(check);
        }
    }

    std::vector<Answer> answers = co_await dns::gather(std::move(queries));

    std::vector<ZoneHealth> v4_health(zones.size(), ZoneHealth::unverified);
    std::vector<ZoneHealth> v6_health(zones.size(), ZoneHealth::unverified);
    for (std::size_t z = 0; z < zones.size(); ++z) {
        ZoneStatus status;
        status.name = zones[z].name;
        status.zone = zones[z].zone;
        if (options.test_entries) {
            std::string detail;
            status.v4 = judge_test_entries(answers[tests[z].v4_listed],
                                           answers[tests[z].v4_unlisted], &detail);
            status.detail = detail;
            if (tests[z].v6) {
                std::string v6_detail;
                status.v6_tested = true;
                status.v6 = judge_test_entries(answers[tests[z].v6_listed],
                                               answers[tests[z].v6_unlisted], &v6_detail, true);
                if (status.v6 != ZoneHealth::ok) {
                    status.detail +=
                        (status.detail.empty() ? "" : "; ") + std::string("IPv6: ") + v6_detail;
                }
            }
        } else {
            status.detail = "test entries not checked";
        }
        v4_health[z] = status.v4;
        v6_health[z] = status.v6;
        report.zones.push_back(std::move(status));
    }

    for (const CheckQueries& check : checks) {
        const bool v6 = ips[check.ip].is_v6();
        const ZoneHealth health = v6 ? v6_health[check.zone] : v4_health[check.zone];
        ZoneCheck result =
            interpret(zones[check.zone], answers[check.a], answers[check.txt], health);
        if (v6 && health == ZoneHealth::dead) {
            result.meaning = "zone does not answer its IPv6 test entry (::FFFF:7F00:2): it "
                             "probably lists no IPv6 addresses";
        }
        report.ips[check.ip].zones.push_back(std::move(result));
    }
    co_return report;
}

} // namespace smtpprobe::dnsbl
