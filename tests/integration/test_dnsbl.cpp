// DNSBL checks against a real DNS server (dnsmasq) serving test blocklist zones: listed with
// code meanings and TXT, clean, policy listing, error answer -> unknown, dead zone, zone that
// lists everything, IPv6 nibble queries, DQS key, timeout; and the `smtpprobe dnsbl` command
// (table, --json, exit codes, stored rows).
#include "monitor/dnsbl/checker.hpp"
#include "monitor/store/database.hpp"
#include "probe/dns/reverse_name.hpp"
#include "tests/support/async_run.hpp"
#include "tests/support/dns_server.hpp"

#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

namespace asio = boost::asio;
using namespace smtpprobe;
using namespace smtpprobe::dnsbl;
using smtpprobe::test::DnsServer;
using smtpprobe::test::run_awaitable;

namespace {

std::string nibbles(const char* address)
{
    return dns::reversed_labels(asio::ip::make_address(address));
}

std::vector<std::string> zone_records()
{
    const std::string v6_listed = nibbles("::ffff:7f00:2");
    const std::string v6_host = nibbles("2001:db8::99");
    return {
        // zen.test: healthy, with test entries for IPv4 and IPv6.
        "--host-record=2.0.0.127.zen.test,127.0.0.2",
        "--host-record=" + v6_listed + ".zen.test,127.0.0.2",
        "--host-record=99.2.0.192.zen.test,127.0.0.2",
        "--host-record=99.2.0.192.zen.test,127.0.0.4",
        "--txt-record=99.2.0.192.zen.test,Listed by SBL\x1b[31m, see https://example.test/sbl",
        "--host-record=10.2.0.192.zen.test,127.0.0.10",
        "--host-record=254.2.0.192.zen.test,127.255.255.254",
        "--host-record=77.2.0.192.zen.test,192.0.2.250",
        "--host-record=" + v6_host + ".zen.test,127.0.0.3",
        // dead.test: lists 192.0.2.99 but not its test entry.
        "--host-record=99.2.0.192.dead.test,127.0.0.2",
        // all.test: answers everything, 127.0.0.1 included.
        "--address=/all.test/127.0.0.2",
        // DQS: <key>.zen.dq.test
        "--host-record=2.0.0.127.key123.zen.dq.test,127.0.0.2",
        "--host-record=99.2.0.192.key123.zen.dq.test,127.0.0.3",
    };
}

DnsblZone test_zen()
{
    DnsblZone zone = default_zones().front(); // Spamhaus ZEN's code table
    zone.name = "zen";
    zone.zone = "zen.test";
    zone.dqs_zone = "zen.dq.test";
    return zone;
}

DnsblZone plain_zone(const std::string& name)
{
    DnsblZone zone;
    zone.name = name;
    zone.zone = name + ".test";
    zone.codes = {{"127.0.0.2", {"listed"}}};
    zone.delist_url = "https://example.test/delist";
    return zone;
}

struct Fixture {
    DnsServer dns{zone_records()};
    asio::io_context io;
    dns::Resolver resolver{io.get_executor(), options()};

    dns::ResolverOptions options()
    {
        dns::ResolverOptions o;
        o.server = dns::parse_server_address(dns.address(), nullptr);
        o.timeout = std::chrono::milliseconds(1500);
        return o;
    }
    DnsblReport check(std::vector<std::string> ips, std::vector<DnsblZone> zones)
    {
        std::vector<asio::ip::address> addresses;
        for (const auto& ip : ips) {
            addresses.push_back(asio::ip::make_address(ip));
        }
        return run_awaitable(io, check_dnsbl(resolver, addresses, zones));
    }
};

const ZoneCheck& only(const DnsblReport& report, std::size_t ip = 0)
{
    REQUIRE(report.ips.size() > ip);
    REQUIRE(report.ips[ip].zones.size() == 1);
    return report.ips[ip].zones[0];
}

} // namespace

TEST_CASE_FIXTURE(Fixture, "listed, with every code's meaning, TXT and delist URL")
{
    DnsblReport report = check({"192.0.2.99"}, {test_zen()});
    const ZoneCheck& zen = only(report);
    CHECK(zen.result == Listing::listed);
    CHECK_FALSE(zen.policy);
    CHECK(std::set<std::string>(zen.codes.begin(), zen.codes.end()) ==
          std::set<std::string>{"127.0.0.2", "127.0.0.4"});
    CHECK(zen.meaning.find("SBL") != std::string::npos);
    CHECK(zen.meaning.find("XBL") != std::string::npos);
    REQUIRE(zen.txt.size() == 1);
    CHECK(zen.txt[0].find("Listed by SBL") == 0);
    CHECK(zen.delist_url == "https://check.spamhaus.org/");
    CHECK(report.zones.at(0).v4 == ZoneHealth::ok);
    CHECK(report.any_listed());
}

TEST_CASE_FIXTURE(Fixture, "clean, policy listing (PBL), error answer and non-127 answer")
{
    DnsblReport report =
        check({"192.0.2.1", "192.0.2.10", "192.0.2.254", "192.0.2.77"}, {test_zen()});
    CHECK(only(report, 0).result == Listing::clean);
    CHECK(only(report, 0).codes.empty());

    CHECK(only(report, 1).result == Listing::listed);
    CHECK(only(report, 1).policy);
    CHECK(only(report, 1).meaning.find("not abuse") != std::string::npos);

    CHECK(only(report, 2).result == Listing::unknown);
    CHECK(only(report, 2).meaning.find("127.255.255.254") != std::string::npos);
    CHECK(only(report, 2).meaning.find("public") != std::string::npos);

    CHECK(only(report, 3).result == Listing::unknown);
    CHECK(only(report, 3).meaning.find("outside 127.0.0.0/8") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "a dead zone and a zone listing everything give unknown, never listed")
{
    DnsblReport report =
        check({"192.0.2.99", "192.0.2.1"}, {plain_zone("dead"), plain_zone("all")});
    REQUIRE(report.zones.size() == 2);
    CHECK(report.zones[0].v4 == ZoneHealth::dead);
    CHECK(report.zones[1].v4 == ZoneHealth::lists_everything);
    for (const IpReport& ip : report.ips) {
        REQUIRE(ip.zones.size() == 2);
        for (const ZoneCheck& zone : ip.zones) {
            CAPTURE(zone.zone);
            CHECK(zone.result == Listing::unknown);
        }
    }
    CHECK(report.ips[0].zones[0].meaning.find("dead") != std::string::npos);
    CHECK(report.ips[0].zones[1].meaning.find("lists everything") != std::string::npos);
    CHECK_FALSE(report.any_listed());
}

TEST_CASE_FIXTURE(Fixture, "IPv6 addresses are queried by nibbles and IPv4-only zones are skipped")
{
    DnsblZone zen = test_zen();
    DnsblReport report =
        check({"2001:db8::99", "2001:db8::1", "::ffff:192.0.2.99"}, {zen, plain_zone("dead")});
    CHECK(report.zones[0].v6_tested);
    CHECK(report.zones[0].v6 == ZoneHealth::ok);
    const ZoneCheck& listed = only(report, 0);
    CHECK(listed.result == Listing::listed);
    CHECK(listed.codes == std::vector<std::string>{"127.0.0.3"});
    CHECK(listed.meaning.find("CSS") != std::string::npos);
    CHECK(only(report, 1).result == Listing::clean);
    REQUIRE(report.ips[0].skipped.size() == 1);
    CHECK(report.ips[0].skipped[0].find("IPv4 addresses only") != std::string::npos);
    // An IPv4-mapped address is checked as the IPv4 address.
    REQUIRE(report.ips[2].zones.size() == 2);
    CHECK(report.ips[2].ip.to_string() == "192.0.2.99");
    CHECK(report.ips[2].zones[0].result == Listing::listed);
}

TEST_CASE_FIXTURE(Fixture, "a zone without an IPv6 test entry gives unknown for IPv6")
{
    DnsblZone dead_v6 = test_zen();
    dead_v6.zone = "dead.test";
    dead_v6.name = "dead-v6";
    DnsblReport report = check({"2001:db8::99"}, {dead_v6});
    CHECK(report.zones[0].v6 == ZoneHealth::dead);
    CHECK(only(report).result == Listing::unknown);
    CHECK(only(report).meaning.find("IPv6") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "Spamhaus DQS: queries go to <key>.<dqs zone>, the key is never shown")
{
    DnsblZone zen = test_zen();
    zen.dqs_key = "key123";
    DnsblReport report = check({"192.0.2.99"}, {zen});
    const ZoneCheck& check = only(report);
    CHECK(check.result == Listing::listed);
    CHECK(check.codes == std::vector<std::string>{"127.0.0.3"});
    CHECK(check.zone == "zen.test");
    CHECK(report.zones[0].v4 == ZoneHealth::ok);
}

TEST_CASE("a list that does not answer gives unknown, within the timeout")
{
    smtpprobe::test::SilentUdpPort silent;
    asio::io_context io;
    dns::ResolverOptions options;
    options.server = dns::parse_server_address(silent.address(), nullptr);
    options.timeout = std::chrono::milliseconds(150);
    dns::Resolver resolver(io.get_executor(), options);
    const auto start = std::chrono::steady_clock::now();
    DnsblReport report = run_awaitable(
        io, check_dnsbl(resolver, {asio::ip::make_address("192.0.2.99")}, default_zones()));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2000));
    REQUIRE(report.ips[0].zones.size() == default_zones().size());
    for (const ZoneCheck& zone : report.ips[0].zones) {
        CHECK(zone.result == Listing::unknown);
        CHECK(zone.meaning.find("timed out") != std::string::npos);
    }
    CHECK(report.zones[0].v4 == ZoneHealth::unverified);
}

TEST_CASE_FIXTURE(Fixture, "smtpprobe dnsbl: table, JSON, exit codes and stored rows")
{
    smtpprobe::test::TempDir dir;
    const std::string db = dir.file("history.db");
    auto run = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {"--dns-server", dns.address(), "--db", db, "dnsbl"};
        argv.insert(argv.end(), args.begin(), args.end());
        return smtpprobe::test::run_smtpprobe(argv);
    };

    auto listed = run({"192.0.2.99", "--zone", "zen.test"});
    CHECK(listed.exit_code == 1);
    CHECK(listed.out.find("listed") != std::string::npos);
    CHECK(listed.out.find("127.0.0.2") != std::string::npos);
    // Peer text (the TXT record) is escaped: no raw ESC reaches the terminal.
    CHECK(listed.out.find('\x1b') == std::string::npos);
    CHECK(listed.out.find("\\x1b") != std::string::npos);

    auto clean = run({"192.0.2.1", "--zone", "zen.test", "--json"});
    CHECK(clean.exit_code == 0);
    auto doc = nlohmann::json::parse(clean.out);
    CHECK(doc["ips"][0]["ip"] == "192.0.2.1");
    CHECK(doc["ips"][0]["zones"][0]["zone"] == "zen.test");
    CHECK(doc["ips"][0]["zones"][0]["result"] == "clean");
    CHECK(doc["zones"][0]["health"] == "ok");

    auto unknown = run({"192.0.2.254", "--zone", "zen.test", "--json"});
    CHECK(unknown.exit_code == 3);
    auto unknown_doc = nlohmann::json::parse(unknown.out);
    const auto& zone = unknown_doc["ips"][0]["zones"][0];
    CHECK(zone["result"] == "unknown");
    CHECK(zone["codes"] == nlohmann::json::array({"127.255.255.254"}));
    for (const char* field : {"zone", "result", "codes", "meaning", "txt", "delist_url"}) {
        CHECK(zone.contains(field));
    }

    auto dead = run({"192.0.2.99", "--zone", "dead.test", "--zone", "all.test"});
    CHECK(dead.exit_code == 3);
    CHECK(dead.out.find("looks dead") != std::string::npos);
    CHECK(dead.out.find("lists everything") != std::string::npos);

    CHECK(run({"not an ip!"}).exit_code == 2);       // neither an IP nor a host name
    CHECK(run({"nosuch-host.test"}).exit_code == 3); // a host name that does not resolve
    CHECK(run({"192.0.2.1", "--zone", "nonsense"}).exit_code == 2);

    store::Database database(db);
    store::Statement rows(database, "SELECT ip, zone, result, codes, txt FROM dnsbl_check "
                                    "ORDER BY id");
    std::vector<std::string> seen;
    while (rows.step()) {
        seen.push_back(rows.column_text(0) + " " + rows.column_text(1) + " " + rows.column_text(2) +
                       " " + rows.column_text(3));
    }
    CHECK(seen == std::vector<std::string>{
                      "192.0.2.99 zen.test listed [\"127.0.0.2\",\"127.0.0.4\"]",
                      "192.0.2.1 zen.test clean []",
                      "192.0.2.254 zen.test unknown [\"127.255.255.254\"]",
                      "192.0.2.99 dead.test unknown [\"127.0.0.2\"]",
                      "192.0.2.99 all.test unknown [\"127.0.0.2\"]",
                  });
}

TEST_CASE_FIXTURE(Fixture, "smtpprobe dnsbl: the config's zones and code kinds are the ones asked")
{
    smtpprobe::test::TempDir dir;
    const std::string db = dir.file("history.db");
    const std::string config = dir.file("config.toml");
    // Only the config's zone (no built-in one), whose 127.0.0.10 is a good-reputation level.
    smtpprobe::test::write_file(config, R"([dnsbl]
default_zones = false

[[dnsbl.zone]]
name = "Test Rep"
zone = "zen.test"
delist_url = "https://example.test/rep"

  [[dnsbl.zone.code]]
  code = "127.0.0.2"
  meaning = "spam source"
  kind = "listed"

  [[dnsbl.zone.code]]
  code = "127.0.0.10"
  meaning = "good sender"
  kind = "clean"
)");
    auto run = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {"--config", config, "--dns-server", dns.address(),
                                         "--db",     db,     "dnsbl"};
        argv.insert(argv.end(), args.begin(), args.end());
        return smtpprobe::test::run_smtpprobe(argv);
    };

    auto good = run({"192.0.2.10", "--json"});
    CHECK(good.exit_code == 0);
    auto doc = nlohmann::json::parse(good.out);
    REQUIRE(doc["ips"][0]["zones"].size() == 1);
    CHECK(doc["ips"][0]["zones"][0]["zone"] == "zen.test");
    CHECK(doc["ips"][0]["zones"][0]["result"] == "clean");
    CHECK(doc["ips"][0]["zones"][0]["meaning"] == "good sender");

    auto listed = run({"192.0.2.99", "--zone", "test-rep", "--json"});
    CHECK(listed.exit_code == 1);
    auto listed_doc = nlohmann::json::parse(listed.out);
    CHECK(listed_doc["ips"][0]["zones"][0]["result"] == "listed");
    CHECK(listed_doc["ips"][0]["zones"][0]["delist_url"] == "https://example.test/rep");

    smtpprobe::test::write_file(config, "[dnsbl]\n[[dnsbl.zone]]\nzone = \"zen.test\"\n"
                                        "  [[dnsbl.zone.code]]\n  code = \"127.0.0.2\"\n"
                                        "  kind = \"maybe\"\n");
    auto bad = run({"192.0.2.10"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("kind") != std::string::npos);
}
