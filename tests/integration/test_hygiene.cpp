// Sender hygiene against a real DNS server (dnsmasq): FCrDNS and HELO match, the SPF evaluator
// (every mechanism, redirect, macros, the lookup and void-lookup limits, errors) and DMARC.
#include "monitor/hygiene/hygiene.hpp"
#include "monitor/hygiene/hygiene_store.hpp"
#include "tests/support/async_run.hpp"
#include "tests/support/dns_server.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

namespace asio = boost::asio;
using namespace smtpprobe;
using namespace smtpprobe::hygiene;
using smtpprobe::test::DnsServer;
using smtpprobe::test::run_awaitable;

namespace {

const std::vector<std::string> k_records = {
    "--host-record=mail.good.test,192.0.2.10,2001:db8::10",
    "--txt-record=good.test,v=spf1 ip4:192.0.2.0/28 ip6:2001:db8::/64 -all",
    "--txt-record=_dmarc.good.test,v=DMARC1; p=reject; rua=mailto:d@good.test",
    "--txt-record=inc.test,v=spf1 include:sub.test -all",
    "--txt-record=sub.test,v=spf1 ip4:192.0.2.10 -all",
    "--address=/a.test/192.0.2.10",
    "--txt-record=a.test,v=spf1 a -all",
    "--txt-record=acidr.test,v=spf1 a:mail.good.test/24 -all",
    "--mx-host=mx.test,mail.good.test,10",
    "--txt-record=mx.test,v=spf1 mx -all",
    "--txt-record=ptr.test,v=spf1 ptr:good.test -all",
    "--address=/10.2.0.192.allow.test/127.0.0.2",
    "--txt-record=exists.test,v=spf1 exists:%{ir}.allow.test -all",
    "--txt-record=redir.test,v=spf1 redirect=good.test",
    "--txt-record=soft.test,v=spf1 ~all",
    "--txt-record=neutral.test,v=spf1 ?all",
    "--txt-record=two.test,v=spf1 -all",
    "--txt-record=two.test,v=spf1 +all",
    "--txt-record=bad.test,v=spf1 frobnicate -all",
    "--txt-record=loop1.test,v=spf1 include:loop2.test -all",
    "--txt-record=loop2.test,v=spf1 include:loop1.test -all",
    "--txt-record=void.test,v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test -all",
    "--txt-record=redirnone.test,v=spf1 redirect=nospf.test",
    "--txt-record=nospf.test,not an spf record",
    // FCrDNS cases
    "--ptr-record=20.2.0.192.in-addr.arpa,liar.test",
    "--txt-record=_dmarc.nopolicy.test,v=DMARC1; rua=mailto:d@nopolicy.test",
};

struct Fixture {
    // Authoritative for the test addresses' reverse zone too: a missing PTR is NXDOMAIN.
    DnsServer dns{k_records, {"test", "2.0.192.in-addr.arpa"}};
    asio::io_context io;
    dns::Resolver resolver{io.get_executor(), options()};

    dns::ResolverOptions options()
    {
        dns::ResolverOptions o;
        o.server = dns::parse_server_address(dns.address(), nullptr);
        o.timeout = std::chrono::milliseconds(1500);
        return o;
    }
    SpfOutcome spf(const char* ip, const char* sender)
    {
        return run_awaitable(
            io, check_spf(resolver, asio::ip::make_address(ip), sender, "mail.good.test"));
    }
};

} // namespace

TEST_CASE_FIXTURE(Fixture, "SPF: each mechanism, qualifier and modifier")
{
    struct Case {
        const char* ip;
        const char* sender;
        SpfResult expected;
        const char* detail_has;
    };
    const Case cases[] = {
        {"192.0.2.10", "bounce@good.test", SpfResult::pass, "ip4"},
        {"192.0.2.200", "bounce@good.test", SpfResult::fail, "all"},
        {"2001:db8::10", "good.test", SpfResult::pass, "ip6"},
        {"2001:db9::1", "good.test", SpfResult::fail, "all"},
        {"192.0.2.10", "x@inc.test", SpfResult::pass, "include:sub.test"},
        {"192.0.2.11", "x@inc.test", SpfResult::fail, "all"},
        {"192.0.2.10", "a.test", SpfResult::pass, "+a"},
        {"192.0.2.11", "a.test", SpfResult::fail, "all"},
        {"192.0.2.99", "acidr.test", SpfResult::pass, "a:mail.good.test"},
        {"192.0.3.1", "acidr.test", SpfResult::fail, "all"},
        {"192.0.2.10", "mx.test", SpfResult::pass, "mx"},
        {"192.0.2.12", "mx.test", SpfResult::fail, "all"},
        {"192.0.2.10", "ptr.test", SpfResult::pass, "ptr"},
        {"192.0.2.20", "ptr.test", SpfResult::fail, "all"},
        {"192.0.2.10", "exists.test", SpfResult::pass, "exists"},
        {"192.0.2.11", "exists.test", SpfResult::fail, "all"},
        {"192.0.2.10", "redir.test", SpfResult::pass, "good.test"},
        {"192.0.2.10", "soft.test", SpfResult::softfail, "~all"},
        {"192.0.2.10", "neutral.test", SpfResult::neutral, "?all"},
        {"192.0.2.10", "nospf.test", SpfResult::none, "no SPF record"},
        {"192.0.2.10", "missing.test", SpfResult::none, "no SPF record"},
        {"192.0.2.10", "two.test", SpfResult::permerror, "several"},
        {"192.0.2.10", "bad.test", SpfResult::permerror, "frobnicate"},
        {"192.0.2.10", "loop1.test", SpfResult::permerror, "10 DNS lookups"},
        {"192.0.2.10", "void.test", SpfResult::permerror, "void"},
        {"192.0.2.10", "redirnone.test", SpfResult::permerror, "no SPF record"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.ip);
        CAPTURE(c.sender);
        SpfOutcome outcome = spf(c.ip, c.sender);
        CAPTURE(outcome.detail);
        CHECK(to_string(outcome.result) == std::string(to_string(c.expected)));
        CHECK(outcome.detail.find(c.detail_has) != std::string::npos);
    }
    SpfOutcome loop = spf("192.0.2.10", "loop1.test");
    CHECK(loop.dns_lookups == 11);
    CHECK(spf("192.0.2.10", "good.test").record.rfind("v=spf1 ip4:", 0) == 0);
}

TEST_CASE("SPF: a DNS server that does not answer is a temperror")
{
    smtpprobe::test::SilentUdpPort silent;
    asio::io_context io;
    dns::ResolverOptions options;
    options.server = dns::parse_server_address(silent.address(), nullptr);
    options.timeout = std::chrono::milliseconds(100);
    dns::Resolver resolver(io.get_executor(), options);
    SpfOutcome outcome = run_awaitable(
        io, check_spf(resolver, asio::ip::make_address("192.0.2.10"), "good.test", "h"));
    CHECK(outcome.result == SpfResult::temperror);
    HygieneReport report = run_awaitable(
        io, check_hygiene(resolver, asio::ip::make_address("192.0.2.10"), "h", "good.test"));
    CHECK(report.any_unknown());
    CHECK(report.ptr.unknown);
    CHECK(report.dmarc.unknown);
}

TEST_CASE_FIXTURE(Fixture, "PTR: forward-confirmed, HELO match, liar and missing PTR")
{
    auto ptr = [&](const char* ip, const char* helo) {
        return run_awaitable(io, check_ptr(resolver, asio::ip::make_address(ip), helo));
    };
    PtrCheck good = ptr("192.0.2.10", "MAIL.good.test");
    CHECK(good.forward_confirmed);
    CHECK(good.matches_helo);
    CHECK(good.confirmed_name == "mail.good.test");

    PtrCheck v6 = ptr("2001:db8::10", "mail.good.test");
    CHECK(v6.forward_confirmed);
    CHECK(v6.matches_helo);

    PtrCheck other_helo = ptr("192.0.2.10", "smtp.elsewhere.test");
    CHECK(other_helo.forward_confirmed);
    CHECK_FALSE(other_helo.matches_helo);
    CHECK(other_helo.detail.find("smtp.elsewhere.test") != std::string::npos);

    PtrCheck liar = ptr("192.0.2.20", "liar.test");
    CHECK(liar.names == std::vector<std::string>{"liar.test"});
    CHECK_FALSE(liar.forward_confirmed);
    CHECK_FALSE(liar.unknown);
    CHECK(liar.detail.find("does not resolve back") != std::string::npos);

    PtrCheck none = ptr("192.0.2.30", "x.test");
    CHECK(none.names.empty());
    CHECK_FALSE(none.unknown);
    CHECK(none.detail.find("no PTR") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "DMARC: present, found at the organisational domain, absent, no p=")
{
    auto dmarc = [&](const char* domain) {
        return run_awaitable(io, check_dmarc(resolver, domain));
    };
    DmarcCheck good = dmarc("good.test");
    CHECK(good.present);
    CHECK(good.policy == "reject");
    CHECK(good.domain == "good.test");

    DmarcCheck sub = dmarc("bounces.good.test");
    CHECK(sub.present);
    CHECK(sub.domain == "good.test");

    DmarcCheck absent = dmarc("nospf.test");
    CHECK_FALSE(absent.present);
    CHECK_FALSE(absent.unknown);

    DmarcCheck no_policy = dmarc("nopolicy.test");
    CHECK(no_policy.present);
    CHECK(no_policy.policy.empty());
}

TEST_CASE_FIXTURE(Fixture, "check_hygiene: all good, and what a bad identity shows")
{
    HygieneReport good =
        run_awaitable(io, check_hygiene(resolver, asio::ip::make_address("192.0.2.10"),
                                        "mail.good.test", "bounce@good.test"));
    CHECK(good.mail_from_domain == "good.test");
    CHECK(good.all_ok());
    CHECK_FALSE(good.any_unknown());

    HygieneReport bad =
        run_awaitable(io, check_hygiene(resolver, asio::ip::make_address("192.0.2.20"), "liar.test",
                                        "nospf.test"));
    CHECK_FALSE(bad.all_ok());
    CHECK_FALSE(bad.ptr.forward_confirmed);
    CHECK(bad.spf.result == SpfResult::none);
    CHECK_FALSE(bad.dmarc.present);

    // Stored, and read back as the newest for the IP.
    smtpprobe::test::TempDir dir;
    store::Database db(dir.file("history.db"));
    store_hygiene_report(db, bad, "2026-03-11T20:00:00Z", "node-a");
    store_hygiene_report(db, good, "2026-03-11T21:00:00Z", "node-a");
    auto latest = latest_hygiene(db, "192.0.2.10");
    REQUIRE(latest.has_value());
    CHECK(latest->all_ok);
    CHECK(latest->spf_result == "pass");
    CHECK(latest->dmarc_policy == "reject");
    auto liar = latest_hygiene(db, "192.0.2.20");
    REQUIRE(liar.has_value());
    CHECK_FALSE(liar->fcrdns);
    CHECK(liar->spf_result == "none");
    CHECK_FALSE(latest_hygiene(db, "192.0.2.99").has_value());
}
