// What DNSBL answers mean (interpret, judge_test_entries) and the zone table, table-driven.
#include "monitor/dnsbl/checker.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe::dnsbl;
using smtpprobe::dns::Answer;
using smtpprobe::dns::Status;

namespace {

Answer answer(Status status, std::vector<const char*> addresses = {})
{
    Answer a;
    a.status = status;
    for (const char* text : addresses) {
        a.addresses.push_back(boost::asio::ip::make_address(text));
    }
    if (status == Status::timeout) {
        a.error = "A x: timed out waiting for the DNS server";
    }
    return a;
}

DnsblZone zen()
{
    return default_zones().front();
}

DnsblZone mailspike()
{
    for (const DnsblZone& zone : default_zones()) {
        if (zone.name == "mailspike") {
            return zone;
        }
    }
    FAIL("no mailspike zone");
    return {};
}

} // namespace

TEST_CASE("interpret: listing codes, policy, errors and broken zones")
{
    struct Case {
        const char* label;
        DnsblZone zone;
        Answer a;
        ZoneHealth health;
        Listing expected;
        bool policy;
        const char* meaning_has;
    };
    const Case cases[] = {
        {"nxdomain", zen(), answer(Status::nxdomain), ZoneHealth::ok, Listing::clean, false, ""},
        {"nodata", zen(), answer(Status::nodata), ZoneHealth::ok, Listing::clean, false, ""},
        {"SBL", zen(), answer(Status::ok, {"127.0.0.2"}), ZoneHealth::ok, Listing::listed, false,
         "SBL"},
        {"CSS", zen(), answer(Status::ok, {"127.0.0.3"}), ZoneHealth::ok, Listing::listed, false,
         "CSS"},
        {"XBL", zen(), answer(Status::ok, {"127.0.0.4"}), ZoneHealth::ok, Listing::listed, false,
         "XBL"},
        {"DROP", zen(), answer(Status::ok, {"127.0.0.9"}), ZoneHealth::ok, Listing::listed, false,
         "DROP"},
        {"PBL isp", zen(), answer(Status::ok, {"127.0.0.10"}), ZoneHealth::ok, Listing::listed,
         true, "not abuse"},
        {"PBL spamhaus", zen(), answer(Status::ok, {"127.0.0.11"}), ZoneHealth::ok, Listing::listed,
         true, "PBL"},
        {"PBL + XBL is abuse", zen(), answer(Status::ok, {"127.0.0.11", "127.0.0.4"}),
         ZoneHealth::ok, Listing::listed, false, "XBL"},
        {"unknown code", zen(), answer(Status::ok, {"127.0.0.42"}), ZoneHealth::ok, Listing::listed,
         false, "code 127.0.0.42"},
        {"typo", zen(), answer(Status::ok, {"127.255.255.252"}), ZoneHealth::ok, Listing::unknown,
         false, "zone name is wrong"},
        {"public resolver", zen(), answer(Status::ok, {"127.255.255.254"}), ZoneHealth::ok,
         Listing::unknown, false, "public"},
        {"rate limit", zen(), answer(Status::ok, {"127.255.255.255"}), ZoneHealth::ok,
         Listing::unknown, false, "too many"},
        {"error beside code", zen(), answer(Status::ok, {"127.0.0.2", "127.255.255.254"}),
         ZoneHealth::ok, Listing::unknown, false, "127.255.255.254"},
        {"non-127", zen(), answer(Status::ok, {"198.51.100.1"}), ZoneHealth::ok, Listing::unknown,
         false, "outside 127.0.0.0/8"},
        {"timeout", zen(), answer(Status::timeout), ZoneHealth::ok, Listing::unknown, false,
         "timed out"},
        {"dead zone", zen(), answer(Status::ok, {"127.0.0.2"}), ZoneHealth::dead, Listing::unknown,
         false, "dead"},
        {"lists everything", zen(), answer(Status::ok, {"127.0.0.2"}), ZoneHealth::lists_everything,
         Listing::unknown, false, "lists everything"},
        {"unverified keeps answer", zen(), answer(Status::ok, {"127.0.0.2"}),
         ZoneHealth::unverified, Listing::listed, false, "SBL"},
        {"mailspike L5", mailspike(), answer(Status::ok, {"127.0.0.10"}), ZoneHealth::ok,
         Listing::listed, false, "L5"},
        {"mailspike H5 is no listing", mailspike(), answer(Status::ok, {"127.0.0.20"}),
         ZoneHealth::ok, Listing::clean, false, "H5"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.label);
        ZoneCheck check = interpret(c.zone, c.a, answer(Status::nodata), c.health);
        CHECK(check.result == c.expected);
        CHECK(check.policy == c.policy);
        CHECK(check.meaning.find(c.meaning_has) != std::string::npos);
        CHECK(check.zone == c.zone.zone);
        CHECK(check.delist_url == c.zone.delist_url);
    }
}

TEST_CASE("judge_test_entries: RFC 5782 127.0.0.2 listed, 127.0.0.1 not")
{
    struct Case {
        const char* label;
        Answer listed;
        Answer unlisted;
        ZoneHealth expected;
    };
    const Case cases[] = {
        {"healthy", answer(Status::ok, {"127.0.0.2"}), answer(Status::nxdomain), ZoneHealth::ok},
        {"dead", answer(Status::nxdomain), answer(Status::nxdomain), ZoneHealth::dead},
        {"everything", answer(Status::ok, {"127.0.0.2"}), answer(Status::ok, {"127.0.0.2"}),
         ZoneHealth::lists_everything},
        {"nxdomain rewriting resolver", answer(Status::ok, {"198.51.100.1"}),
         answer(Status::ok, {"198.51.100.1"}), ZoneHealth::lists_everything},
        {"public resolver refused", answer(Status::ok, {"127.255.255.254"}),
         answer(Status::ok, {"127.255.255.254"}), ZoneHealth::unverified},
        {"timeout", answer(Status::timeout), answer(Status::timeout), ZoneHealth::unverified},
        {"127.0.0.1 timed out", answer(Status::ok, {"127.0.0.2"}), answer(Status::timeout),
         ZoneHealth::unverified},
    };
    for (const Case& c : cases) {
        CAPTURE(c.label);
        std::string detail;
        CHECK(judge_test_entries(c.listed, c.unlisted, &detail) == c.expected);
        CHECK(detail.empty() == (c.expected == ZoneHealth::ok));
    }
}

TEST_CASE("zone table: built-in zones are valid, selection by name or DNS zone")
{
    const auto zones = default_zones();
    CHECK(zones.size() == 6);
    for (const DnsblZone& zone : zones) {
        CAPTURE(zone.name);
        CHECK_FALSE(validate_zone(zone).has_value());
        CHECK(zone.delist_url.rfind("https://", 0) == 0);
        CHECK(query_zone(zone) == zone.zone);
    }
    std::string error;
    auto picked = select_zones(zones, {"SpamCop", "zen.spamhaus.org", "bl.example.org."}, &error);
    REQUIRE(picked.has_value());
    REQUIRE(picked->size() == 3);
    CHECK((*picked)[0].zone == "bl.spamcop.net");
    CHECK((*picked)[1].name == "spamhaus-zen");
    CHECK((*picked)[2].zone == "bl.example.org");
    CHECK(select_zones(zones, {}, &error)->size() == zones.size());
    CHECK_FALSE(select_zones(zones, {"nonsense"}, &error).has_value());
    CHECK(error.find("spamhaus-zen") != std::string::npos);

    DnsblZone dqs = zones.front();
    dqs.dqs_key = "abc123";
    CHECK(query_zone(dqs) == "abc123.zen.dq.spamhaus.net");
    CHECK_FALSE(validate_zone(dqs).has_value());
    dqs.dqs_key = "abc.123";
    CHECK(validate_zone(dqs).has_value());

    DnsblZone bad = zones.front();
    bad.codes["10.0.0.2"] = {"nope"};
    CHECK(validate_zone(bad)->find("127.0.0.0/8") != std::string::npos);
    bad = zones.front();
    bad.zone = "not a zone";
    CHECK(validate_zone(bad).has_value());
}
