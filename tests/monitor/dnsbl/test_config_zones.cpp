// The configuration's DNSBL zones as the checker sees them: the built-in defaults keep every
// code kind of the one zone table (a Mailspike good-reputation answer stays "clean" through the
// config), and user zones' kinds map as documented.
#include "monitor/config/config.hpp"
#include "monitor/config/config_loader.hpp"
#include "monitor/dnsbl/checker.hpp"
#include "monitor/dnsbl/config_zones.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe;
using smtpprobe::dns::Answer;
using smtpprobe::dns::Status;

namespace {

Answer answer_a(const char* address)
{
    Answer a;
    a.status = Status::ok;
    a.addresses.push_back(boost::asio::ip::make_address(address));
    return a;
}

const dnsbl::DnsblZone& by_zone(const std::vector<dnsbl::DnsblZone>& zones, const char* name)
{
    for (const dnsbl::DnsblZone& zone : zones) {
        if (zone.zone == name) {
            return zone;
        }
    }
    FAIL("no zone " << name);
    return zones.front();
}

} // namespace

TEST_CASE("config zones: the defaults mean what the built-in table means")
{
    const auto zones = dnsbl::zones_from_config(config::default_config());
    REQUIRE(zones.size() == dnsbl::default_zones().size());
    const auto& mailspike = by_zone(zones, "bl.mailspike.net");
    const auto& zen = by_zone(zones, "zen.spamhaus.org");
    struct Case {
        const dnsbl::DnsblZone* zone;
        const char* code;
        dnsbl::Listing listing;
        bool policy;
    };
    const Case cases[] = {
        {&mailspike, "127.0.0.20", dnsbl::Listing::clean, false},  // H5: excellent reputation
        {&mailspike, "127.0.0.15", dnsbl::Listing::clean, false},  // LH0: neutral
        {&mailspike, "127.0.0.10", dnsbl::Listing::listed, false}, // L5: worst
        {&zen, "127.0.0.11", dnsbl::Listing::listed, true},        // PBL: policy
        {&zen, "127.0.0.4", dnsbl::Listing::listed, false},        // XBL
        {&zen, "127.0.0.6", dnsbl::Listing::listed, false},        // XBL
        {&zen, "127.255.255.254", dnsbl::Listing::unknown, false}, // refused: never listed
    };
    for (const Case& c : cases) {
        CAPTURE(c.zone->zone);
        CAPTURE(c.code);
        const auto check =
            dnsbl::interpret(*c.zone, answer_a(c.code), Answer{}, dnsbl::ZoneHealth::ok);
        CHECK(check.result == c.listing);
        CHECK(check.policy == c.policy);
    }
    CHECK(zen.name == "Spamhaus ZEN");
    CHECK(zen.delist_url == "https://check.spamhaus.org/");
}

TEST_CASE("config zones: kinds, disabled zones and the DQS key of a user file")
{
    config::Config config;
    config::DnsblZone custom;
    custom.name = "Rep";
    custom.zone = "rep.example.test";
    custom.codes = {{"127.0.0.2", "bad", "listed"},
                    {"127.0.0.3", "dynamic range", "policy"},
                    {"127.0.0.9", "good sender", "clean"},
                    {"127.255.255.254", "refused", "error"}};
    config::DnsblZone off = custom;
    off.name = "Off";
    off.enabled = false;
    config::DnsblZone dqs = custom;
    dqs.name = "DQS";
    dqs.use_dqs = true;
    dqs.dqs_zone = "rep.dq.example.test";
    config.dnsbl.zones = {custom, off, dqs};
    config.dnsbl.dqs_key = "key123";

    const auto zones = dnsbl::zones_from_config(config);
    REQUIRE(zones.size() == 2);
    CHECK(zones[0].codes.at("127.0.0.2").kind == dnsbl::CodeKind::abuse);
    CHECK(zones[0].codes.at("127.0.0.3").kind == dnsbl::CodeKind::policy);
    CHECK(zones[0].codes.at("127.0.0.9").kind == dnsbl::CodeKind::informational);
    CHECK(zones[0].codes.count("127.255.255.254") == 0);
    CHECK_FALSE(zones[0].dqs_key.has_value());
    REQUIRE(zones[1].dqs_key.has_value());
    CHECK(dnsbl::query_zone(zones[1]) == "key123.rep.dq.example.test");
    const auto check =
        dnsbl::interpret(zones[0], answer_a("127.0.0.9"), Answer{}, dnsbl::ZoneHealth::ok);
    CHECK(check.result == dnsbl::Listing::clean);
}

TEST_CASE("config zones: --zone picks a zone by its name as one word")
{
    const auto zones = dnsbl::zones_from_config(config::default_config());
    std::string error;
    auto picked =
        dnsbl::select_zones(zones, {"spamhaus-zen", "uceprotect-l1", "Mailspike"}, &error);
    REQUIRE(picked.has_value());
    REQUIRE(picked->size() == 3);
    CHECK((*picked)[0].zone == "zen.spamhaus.org");
    CHECK((*picked)[1].zone == "dnsbl-1.uceprotect.net");
    CHECK((*picked)[2].zone == "bl.mailspike.net");
}
