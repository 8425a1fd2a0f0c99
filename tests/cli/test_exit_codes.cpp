// Every exit code the documentation gives (DESIGN.md, the man page, --help): 0 fine, 1 a
// finding, 2 usage or config, 3 could not complete; with a real DNS server (dnsmasq) on
// loopback named only by the config's dns_server, which dnsbl, probe and dsn-test honour.
#include "tests/support/child_process.hpp"
#include "tests/support/dns_server.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace smtpprobe::test;

namespace {

// A block from Outlook.com's EUR cluster, then (optionally) mail to it accepted again.
const std::string k_block =
    "Nov 22 04:10:01 mail postfix/smtp[1]: 4F2A31C0123: to=<a@outlook.example>, "
    "relay=eur.olc.protection.outlook.com[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, "
    "dsn=5.7.1, status=bounced (host eur.olc.protection.outlook.com[192.0.2.1] said: 550 5.7.1 "
    "Unfortunately, messages from [203.0.113.7] weren't sent. Please contact your Internet "
    "service provider since part of their network is on our block list (S3140). (in reply to "
    "RCPT TO command))\n";
const std::string k_accepted =
    "Nov 23 09:00:00 mail postfix/smtp[2]: 5A2B31C0124: to=<b@outlook.example>, "
    "relay=eur.olc.protection.outlook.com[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, "
    "dsn=2.0.0, status=sent (250 2.6.0 Queued mail for delivery)\n";

RunOptions utc()
{
    RunOptions o;
    o.env = {{"TZ", "UTC"}};
    return o;
}

} // namespace

TEST_CASE("exit 0 and 1: explain understood and unknown, status clear and blocked")
{
    CHECK(run_smtpprobe({"explain", "5.7.606"}).exit_code == 0);
    CHECK(run_smtpprobe({"explain", "no code in these words"}).exit_code == 1);
    TempDir dir;
    write_file(dir.file("c.toml"), "[[identity]]\nip = \"203.0.113.7\"\n");
    write_file(dir.file("block.log"), k_block);
    std::vector<std::string> base = {"--config", dir.file("c.toml"), "--db", dir.file("h.db")};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), base.begin(), base.end());
        return run_smtpprobe(args, utc());
    };
    CHECK(with({"status"}).exit_code == 0);
    CHECK(with({"ingest", "log", "--year", "2026", dir.file("block.log")}).exit_code == 1);
    CHECK(with({"status"}).exit_code == 1);
}

TEST_CASE("ingest log exits 0 for a history whose blocks already ended, 1 while one is open")
{
    TempDir dir;
    write_file(dir.file("c.toml"), "[[identity]]\nip = \"203.0.113.7\"\n");
    write_file(dir.file("ended.log"), k_block + k_accepted);
    RunResult ended = run_smtpprobe({"--config", dir.file("c.toml"), "--db", dir.file("a.db"),
                                     "ingest", "log", "--year", "2026", dir.file("ended.log")},
                                    utc());
    CHECK(ended.exit_code == 0);
    CHECK(ended.out.find("1 blocked") != std::string::npos); // the history still says so
    // Accepted on the 23rd, refused again on the 24th: the block is open.
    std::string reblock = k_block;
    reblock.replace(0, 6, "Nov 24");
    write_file(dir.file("open.log"), k_block + k_accepted + reblock);
    RunResult open = run_smtpprobe({"--config", dir.file("c.toml"), "--db", dir.file("b.db"),
                                    "ingest", "log", "--year", "2026", dir.file("open.log")},
                                   utc());
    CHECK(open.exit_code == 1);
}

TEST_CASE("exit 2: an unknown option, a bad value, a bad config")
{
    CHECK(run_smtpprobe({"--no-such-flag"}).exit_code == 2);
    CHECK(run_smtpprobe({"status", "--since", "last tuesday"}).exit_code == 2);
    CHECK(run_smtpprobe({"status", "--state", "maybe"}).exit_code == 2);
    CHECK(run_smtpprobe({"dnsbl", "not an ip!"}).exit_code == 2);
    TempDir dir;
    write_file(dir.file("c.toml"), "dns_server = \"not a server:xx\"\n");
    RunResult bad = run_smtpprobe({"--config", dir.file("c.toml"), "dnsbl", "192.0.2.1"});
    CHECK(bad.exit_code == 2);
    CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
}

TEST_CASE("the config's dns_server serves dnsbl (host names too, stored for status), probe and "
          "dsn-test; a domain that does not exist is exit 3, never 1")
{
    DnsServer dns({"--host-record=listed-host.test,192.0.2.99",
                   "--host-record=2.0.0.127.zen.test,127.0.0.2",
                   "--host-record=99.2.0.192.zen.test,127.0.0.2"});
    TempDir dir;
    write_file(dir.file("c.toml"), "dns_server = \"" + dns.address() +
                                       "\"\n[dnsbl]\ndefault_zones = false\n[[dnsbl.zone]]\n"
                                       "name = \"zen\"\nzone = \"zen.test\"\n"
                                       "delist_url = \"https://example.test/delist\"\n"
                                       "  [[dnsbl.zone.code]]\n  code = \"127.0.0.2\"\n"
                                       "  kind = \"listed\"\n");
    std::vector<std::string> base = {"--config", dir.file("c.toml"), "--db", dir.file("h.db")};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), base.begin(), base.end());
        return run_smtpprobe(args);
    };
    // A host name is resolved (A/AAAA) through the config's resolver and its address checked.
    RunResult listed = with({"dnsbl", "--json", "listed-host.test"});
    CHECK(listed.exit_code == 1);
    auto doc = nlohmann::json::parse(listed.out);
    REQUIRE(doc["ips"].size() == 1);
    CHECK(doc["ips"][0]["ip"] == "192.0.2.99");
    CHECK(doc["ips"][0]["zones"][0]["result"] == "listed");
    // Stored as evidence: status shows the listing and exits 1.
    RunResult status = with({"status"});
    CHECK(status.exit_code == 1);
    CHECK(status.out.find("192.0.2.99 x dnsbl/zen.test listed") != std::string::npos);
    CHECK(status.out.find("https://example.test/delist") != std::string::npos);
    RunResult json = with({"status", "--json"});
    const nlohmann::json state = nlohmann::json::parse(json.out);
    bool found = false;
    for (const auto& s : state["scopes"]) {
        found = found || (s["ip"] == "192.0.2.99" && s["scope"] == "dnsbl/zen.test" &&
                          s["state"] == "blocked");
    }
    CHECK(found);
    // A host name that does not exist: could not complete.
    RunResult nxdomain = with({"dnsbl", "nosuch-host.test"});
    CHECK(nxdomain.exit_code == 3);
    CHECK(nxdomain.err.find("nosuch-host.test") != std::string::npos);
    // probe and dsn-test of a domain that does not exist (only this resolver can say so
    // quickly: .test is answered by dnsmasq alone).
    RunResult probe = with({"probe", "--no-store", "nosuch-domain.test"});
    CHECK(probe.exit_code == 3);
    CHECK(probe.out.find("nosuch-domain.test") != std::string::npos);
    RunResult dsn = with({"dsn-test", "--no-store", "nosuch-domain.test"});
    CHECK(dsn.exit_code == 3);
}

TEST_CASE("exit 3: a resolver that does not answer, a file that cannot be read")
{
    SilentUdpPort silent;
    TempDir dir;
    RunResult dnsbl = run_smtpprobe({"--db", dir.file("h.db"), "--dns-server", silent.address(),
                                     "dnsbl", "--timeout", "100", "--no-store", "192.0.2.1"});
    CHECK(dnsbl.exit_code == 3);
    RunResult missing =
        run_smtpprobe({"--db", dir.file("h.db"), "ingest", "log", dir.file("nosuch")});
    CHECK(missing.exit_code == 3);
}
