// The c-ares resolver and the mail route against a real DNS server (dnsmasq on loopback):
// MX preference order with shuffled ties, implicit MX, null MX, NXDOMAIN, TXT, PTR, AAAA, and a
// bounded timeout against a UDP port where nothing answers.
#include "probe/dns/gather.hpp"
#include "probe/dns/resolver.hpp"
#include "tests/support/async_run.hpp"
#include "tests/support/dns_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <doctest/doctest.h>
#include <set>

namespace asio = boost::asio;
using namespace smtpprobe::dns;
using smtpprobe::test::DnsServer;
using smtpprobe::test::run_awaitable;
using smtpprobe::test::SilentUdpPort;

namespace {

const std::vector<std::string> k_records = {
    "--mx-host=example.test,mx2.example.test,20",
    "--mx-host=example.test,mx1.example.test,10",
    "--mx-host=example.test,mx3.example.test,20",
    "--host-record=mx1.example.test,192.0.2.1,2001:db8::1",
    "--host-record=mx2.example.test,192.0.2.2",
    "--host-record=mx3.example.test,192.0.2.3",
    "--host-record=nomx.test,192.0.2.50,2001:db8::50",
    "--mx-host=nullmx.test,.,0",
    "--mx-host=broken.test,nowhere.test,10",
    // One record of two strings ("...0/2" "4 -all"), read as one text (RFC 7208 3.3).
    "--txt-record=txt.test,v=spf1 ip4:192.0.2.0/2,4 -all",
    "--txt-record=txt.test,second record",
    "--ptr-record=9.2.0.192.in-addr.arpa,ptr-only.example.test",
};

ResolverOptions options_for(const std::string& server_address,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(2000))
{
    ResolverOptions options;
    std::string error;
    options.server = parse_server_address(server_address, &error);
    REQUIRE_MESSAGE(options.server.has_value(), error);
    options.timeout = timeout;
    options.tries = 2;
    return options;
}

struct Fixture {
    DnsServer dns{k_records};
    asio::io_context io;
    Resolver resolver{io.get_executor(), options_for(dns.address())};

    Answer run(asio::awaitable<Answer> query) { return run_awaitable(io, std::move(query)); }
    MailRoute route_of(std::string target, IpFamily family = IpFamily::any)
    {
        return run_awaitable(io, resolve_mail_route(resolver, std::move(target), family));
    }
};

std::vector<std::string> host_names(const MailRoute& route)
{
    std::vector<std::string> names;
    for (const MailHost& host : route.hosts) {
        names.push_back(host.name);
    }
    return names;
}

} // namespace

TEST_CASE_FIXTURE(Fixture, "MX hosts come in preference order, ties shuffled, each resolved")
{
    std::set<std::vector<std::string>> orders;
    for (int i = 0; i < 24; ++i) {
        MailRoute route = route_of("example.test");
        REQUIRE(route.kind == MailRoute::Kind::mx);
        REQUIRE(route.hosts.size() == 3);
        CHECK(route.hosts[0].name == "mx1.example.test");
        CHECK(route.hosts[0].preference == 10);
        CHECK(route.hosts[1].preference == 20);
        CHECK(route.hosts[2].preference == 20);
        CHECK(route.error.empty());
        // IPv4 first, then IPv6.
        REQUIRE(route.hosts[0].addresses.size() == 2);
        CHECK(route.hosts[0].addresses[0].to_string() == "192.0.2.1");
        CHECK(route.hosts[0].addresses[1].to_string() == "2001:db8::1");
        orders.insert(host_names(route));
    }
    // Equal preferences (mx2, mx3) are tried in random order: both orders show up.
    CHECK(orders.size() == 2);
}

TEST_CASE_FIXTURE(Fixture, "raw MX answer keeps every record")
{
    Answer answer = run(resolver.query_mx("example.test"));
    REQUIRE(answer.status == Status::ok);
    std::set<std::pair<int, std::string>> records;
    for (const auto& mx : answer.mx) {
        records.insert({mx.preference, mx.host});
    }
    CHECK(records == std::set<std::pair<int, std::string>>{{10, "mx1.example.test"},
                                                           {20, "mx2.example.test"},
                                                           {20, "mx3.example.test"}});
}

TEST_CASE_FIXTURE(Fixture, "family filter: -6 keeps only MX hosts with IPv6, says which it left")
{
    MailRoute route = route_of("example.test", IpFamily::v6);
    REQUIRE(route.kind == MailRoute::Kind::mx);
    REQUIRE(route.hosts.size() == 1);
    CHECK(route.hosts[0].name == "mx1.example.test");
    REQUIRE(route.hosts[0].addresses.size() == 1);
    CHECK(route.hosts[0].addresses[0].to_string() == "2001:db8::1");
    CHECK(route.error.find("mx2.example.test") != std::string::npos);

    MailRoute v4 = route_of("example.test", IpFamily::v4);
    REQUIRE(v4.hosts.size() == 3);
    CHECK(v4.hosts[0].addresses.size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "no MX record: the name's own addresses are the implicit MX")
{
    MailRoute route = route_of("nomx.test");
    REQUIRE(route.kind == MailRoute::Kind::implicit);
    REQUIRE(route.hosts.size() == 1);
    CHECK(route.hosts[0].name == "nomx.test");
    REQUIRE(route.hosts[0].addresses.size() == 2);
    CHECK(route.hosts[0].addresses[0].to_string() == "192.0.2.50");
    CHECK(route.hosts[0].addresses[1].to_string() == "2001:db8::50");
    // A trailing dot is the same name.
    CHECK(route_of("nomx.test.").kind == MailRoute::Kind::implicit);
}

TEST_CASE_FIXTURE(Fixture, "null MX means the domain accepts no mail")
{
    Answer answer = run(resolver.query_mx("nullmx.test"));
    REQUIRE(answer.status == Status::ok);
    REQUIRE(answer.mx.size() == 1);
    CHECK(answer.mx[0].host.empty());
    CHECK(answer.mx[0].preference == 0);

    MailRoute route = route_of("nullmx.test");
    CHECK(route.kind == MailRoute::Kind::null_mx);
    CHECK(route.hosts.empty());
    CHECK(route.error.find("accepts no mail") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "NXDOMAIN and MX hosts without addresses")
{
    Answer answer = run(resolver.query_a("does-not-exist.test"));
    CHECK(answer.status == Status::nxdomain);
    CHECK(answer.error.find("NXDOMAIN") != std::string::npos);

    MailRoute missing = route_of("does-not-exist.test");
    CHECK(missing.kind == MailRoute::Kind::not_found);
    CHECK(missing.error.find("does-not-exist.test") != std::string::npos);

    MailRoute broken = route_of("broken.test");
    CHECK(broken.kind == MailRoute::Kind::error);
    CHECK(broken.error.find("nowhere.test") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "a name with other records but no A has no data, not NXDOMAIN")
{
    Answer answer = run(resolver.query_a("txt.test"));
    CHECK(answer.status == Status::nodata);
    Answer mx = run(resolver.query_mx("nomx.test"));
    CHECK(mx.status == Status::nodata);
}

TEST_CASE_FIXTURE(Fixture, "IP literals are used as they are")
{
    struct Case {
        const char* target;
        const char* address;
    };
    for (const Case& c :
         {Case{"192.0.2.77", "192.0.2.77"}, Case{"[192.0.2.77]", "192.0.2.77"},
          Case{"[IPv6:2001:db8::77]", "2001:db8::77"}, Case{"2001:db8::77", "2001:db8::77"}}) {
        CAPTURE(c.target);
        MailRoute route = route_of(c.target);
        REQUIRE(route.kind == MailRoute::Kind::literal);
        REQUIRE(route.hosts.size() == 1);
        REQUIRE(route.hosts[0].addresses.size() == 1);
        CHECK(route.hosts[0].addresses[0].to_string() == c.address);
    }
    CHECK(route_of("192.0.2.77", IpFamily::v6).kind == MailRoute::Kind::error);
}

TEST_CASE_FIXTURE(Fixture, "TXT strings of one record are joined, records kept apart")
{
    Answer answer = run(resolver.query_txt("txt.test"));
    REQUIRE(answer.status == Status::ok);
    std::multiset<std::string> texts(answer.texts.begin(), answer.texts.end());
    CHECK(texts == std::multiset<std::string>{"v=spf1 ip4:192.0.2.0/24 -all", "second record"});
}

TEST_CASE_FIXTURE(Fixture, "PTR for IPv4 and IPv6")
{
    Answer v4 = run(resolver.query_ptr(asio::ip::make_address("192.0.2.1")));
    REQUIRE(v4.status == Status::ok);
    CHECK(v4.texts == std::vector<std::string>{"mx1.example.test"});

    Answer v6 = run(resolver.query_ptr(asio::ip::make_address("2001:db8::1")));
    REQUIRE(v6.status == Status::ok);
    CHECK(v6.texts == std::vector<std::string>{"mx1.example.test"});

    Answer only = run(resolver.query_ptr(asio::ip::make_address("192.0.2.9")));
    REQUIRE(only.status == Status::ok);
    CHECK(only.texts == std::vector<std::string>{"ptr-only.example.test"});

    Answer none = run(resolver.query_ptr(asio::ip::make_address("192.0.2.200")));
    CHECK(none.status != Status::ok);
}

TEST_CASE_FIXTURE(Fixture, "AAAA answers")
{
    Answer answer = run(resolver.query_aaaa("mx1.example.test"));
    REQUIRE(answer.status == Status::ok);
    REQUIRE(answer.addresses.size() == 1);
    CHECK(answer.addresses[0].to_string() == "2001:db8::1");
    CHECK(run(resolver.query_aaaa("mx2.example.test")).status == Status::nodata);
}

TEST_CASE_FIXTURE(Fixture, "hundreds of concurrent queries on one resolver all complete")
{
    auto many = [this]() -> asio::awaitable<int> {
        std::vector<asio::awaitable<Answer>> queries;
        for (int i = 0; i < 300; ++i) {
            queries.push_back(resolver.query_a(i % 2 == 0 ? "mx2.example.test" : "nope.test"));
        }
        std::vector<Answer> answers = co_await gather(std::move(queries));
        int right = 0;
        for (std::size_t i = 0; i < answers.size(); ++i) {
            const Status expected = i % 2 == 0 ? Status::ok : Status::nxdomain;
            right += answers[i].status == expected ? 1 : 0;
        }
        co_return right;
    };
    CHECK(run_awaitable(io, many()) == 300);
}

TEST_CASE("a server that never answers gives a bounded timeout that says so")
{
    SilentUdpPort silent;
    asio::io_context io;
    Resolver resolver{io.get_executor(),
                      options_for(silent.address(), std::chrono::milliseconds(200))};
    const auto start = std::chrono::steady_clock::now();
    Answer answer = run_awaitable(io, resolver.query_mx("example.test"));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(answer.status == Status::timeout);
    CHECK(answer.error.find("timed out") != std::string::npos);
    // 200 ms, then 400 ms on the retry.
    CHECK(elapsed >= std::chrono::milliseconds(500));
    CHECK(elapsed < std::chrono::milliseconds(2500));

    MailRoute route = run_awaitable(io, resolve_mail_route(resolver, "example.test"));
    CHECK(route.kind == MailRoute::Kind::error);
    CHECK(route.error.find("timed out") != std::string::npos);
}

TEST_CASE("cancel and destruction complete outstanding queries")
{
    SilentUdpPort silent;
    asio::io_context io;
    auto resolver = std::make_unique<Resolver>(
        io.get_executor(), options_for(silent.address(), std::chrono::milliseconds(5000)));
    auto cancel_soon = [&]() -> asio::awaitable<Answer> {
        asio::steady_timer timer(io, std::chrono::milliseconds(50));
        timer.async_wait([&](boost::system::error_code) { resolver->cancel(); });
        co_return co_await resolver->query_a("example.test");
    };
    const auto start = std::chrono::steady_clock::now();
    Answer cancelled = run_awaitable(io, cancel_soon());
    CHECK(cancelled.status == Status::error);
    CHECK(cancelled.error.find("cancelled") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2000));

    auto destroy_soon = [&]() -> asio::awaitable<Answer> {
        asio::steady_timer timer(io, std::chrono::milliseconds(50));
        timer.async_wait([&](boost::system::error_code) { resolver.reset(); });
        co_return co_await resolver->query_a("example.test");
    };
    Answer destroyed = run_awaitable(io, destroy_soon());
    CHECK(destroyed.status == Status::error);
}
