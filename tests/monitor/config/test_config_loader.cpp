// The config file: defaults, merging with the built-in receivers/zones, durations, and one
// clear problem (file:line:column, key, what) per mistake.
#include "monitor/config/config_loader.hpp"
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace smtpprobe::config;

namespace {

std::vector<std::string> problems_of(const std::string& text)
{
    try {
        parse_config(text, "c.toml");
    } catch (const ConfigError& e) {
        std::vector<std::string> out;
        for (const auto& p : e.problems()) {
            out.push_back(p.to_string());
        }
        return out;
    }
    return {};
}

} // namespace

TEST_CASE("no file gives the documented defaults")
{
    Config c = load_config_or_defaults("/nonexistent/smtpprobe.toml", false);
    std::vector<std::string> receivers;
    for (const auto& r : c.receivers) {
        receivers.push_back(r.name);
    }
    CHECK(receivers ==
          std::vector<std::string>{"outlook.com", "gmail.com", "yahoo.com", "microsoft-365"});
    std::vector<std::string> zones;
    for (const auto& z : c.dnsbl.zones) {
        zones.push_back(z.zone);
    }
    CHECK(zones == std::vector<std::string>{"zen.spamhaus.org", "bl.spamcop.net",
                                            "b.barracudacentral.org", "psbl.surriel.com",
                                            "bl.mailspike.net", "dnsbl-1.uceprotect.net"});
    const DnsblZone& zen = c.dnsbl.zones.front();
    auto kind_of = [&](const std::string& code) {
        for (const auto& x : zen.codes) {
            if (x.code == code) {
                return x.kind;
            }
        }
        return std::string("none");
    };
    CHECK(kind_of("127.0.0.2") == "listed");
    CHECK(kind_of("127.0.0.10") == "policy");
    CHECK(kind_of("127.0.0.11") == "policy");
    CHECK(kind_of("127.255.255.254") == "error");
    CHECK(c.default_ip().empty());
    CHECK_THROWS_AS(load_config_or_defaults("/nonexistent/smtpprobe.toml", true), ConfigError);
}

TEST_CASE("the shipped example config is valid")
{
    Config c = load_config(SMTPPROBE_SOURCE_DIR "/deploy/config.example.toml");
    REQUIRE(c.identities.size() == 1);
    CHECK(c.default_ip() == "192.0.2.10");
    CHECK(c.receivers.size() == 4);
    CHECK(c.alerts.webhooks.size() == 1);
    CHECK(c.alerts.commands.size() == 1);
    CHECK(c.alerts.mails.size() == 1);
}

TEST_CASE("receivers and zones merge with the defaults by name unless turned off")
{
    Config c = parse_config(R"(
[probes]
default_receivers = false
[[receiver]]
name = "lab"
mx = "127.0.0.1:2525"
recipient = "user@example.net"
interval = "10m"
min_interval = 300
[dnsbl]
interval = "1h"
[[dnsbl.zone]]
name = "SpamCop"
enabled = false
zone = "bl.spamcop.net"
[[dnsbl.zone]]
name = "Test"
zone = "dnsbl.test"
)",
                            "c.toml");
    REQUIRE(c.receivers.size() == 1);
    CHECK(c.receivers[0].target() == "127.0.0.1:2525");
    CHECK(c.receivers[0].interval == std::chrono::minutes(10));
    CHECK(c.receivers[0].min_interval == std::chrono::minutes(5));
    CHECK(c.dnsbl.interval == std::chrono::hours(1));
    CHECK(c.dnsbl.zones.size() == 6); // 6 defaults - SpamCop + Test
    CHECK(std::none_of(c.dnsbl.zones.begin(), c.dnsbl.zones.end(),
                       [](const DnsblZone& z) { return z.name == "SpamCop"; }));
    CHECK(c.dnsbl.zones.back().zone == "dnsbl.test");
}

TEST_CASE("each mistake is one problem with file, line, column, key and what is wrong")
{
    struct Case {
        std::string text;
        std::string expected;
    };
    std::vector<Case> cases = {
        {"db = 3\n", "c.toml:1:6: db: expected a string, got an integer"},
        {"colour = 1\n", "c.toml:1:1: colour: unknown key"},
        {"[[identity]]\nip = \"300.1.1.1\"\n",
         "c.toml:2:6: identity[0].ip: \"300.1.1.1\" is not an IPv4 or IPv6 address"},
        {"[[receiver]]\nname = \"a\"\ndomain = \"a.example\"\nrecipient = \"x@a.example\"\n"
         "interval = \"5 min\"\n",
         "c.toml:5:12: receiver[0].interval: \"5 min\" is not a duration"},
        {"[[receiver]]\nname = \"a\"\nrecipient = \"x@a.example\"\n",
         "receiver[0].domain: a receiver needs a domain"},
        {"[[receiver]]\ndomain = \"a.example\"\nrecipient = \"x@a.example\"\n"
         "identities = [\"nobody\"]\n",
         "c.toml:4:14: receiver[0].identities: no [[identity]] named \"nobody\""},
        {"[episodes]\nclose_after = 0\n",
         "c.toml:2:15: episodes.close_after: must be between 1 and 100, got 0"},
        {"[[dnsbl.zone]]\nzone = \"x.test\"\n[[dnsbl.zone.code]]\ncode = \"10.0.0.2\"\n",
         "c.toml:4:8: dnsbl.zone[0].code[0].code: \"10.0.0.2\" is not a 127.x.y.z answer"},
        {"[[alerts.webhook]]\nurl = \"ftp://x\"\n",
         "c.toml:2:7: alerts.webhook[0].url: \"ftp://x\" must start with https://"},
        {"[[alerts.mail]]\nto = []\n", "alerts.mail[0].to: a mail alert needs"},
        {"[[log]]\npath = \"/var/log/mail.log\"\nformat = \"qmail\"\n",
         "c.toml:3:10: log[0].format: \"qmail\" must be auto"},
        {"dns_server = \"resolver\"\n", "c.toml:1:14: dns_server:"},
        {"[run]\nnode = \"mx 1; rm\"\n", "run.node: a node name is at most 253 letters"},
        {"[run]\ninterval = 0\n", "c.toml:2:12: run.interval: a duration must be positive"},
        {"x = [\n", "c.toml:1:"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        auto problems = problems_of(c.text);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find(c.expected) != std::string::npos);
    }
    CHECK(problems_of("dns_server = \"127.0.0.1:5353\"\n").empty());
}

TEST_CASE("webhook headers, urls and alert commands are checked where they are written")
{
    struct Case {
        std::string text;
        std::string expected;
    };
    const std::string hook = "[[alerts.webhook]]\nurl = \"https://hooks.example.org/x\"\n";
    std::vector<Case> cases = {
        {hook + "headers = { \"X-Evil\\r\\nInjected\" = \"1\" }\n",
         "alerts.webhook[0].headers: \"X-Evil\\r\\nInjected\" is not an HTTP header name"},
        {hook + "headers = { \"X A\" = \"1\" }\n", "is not an HTTP header name"},
        {hook + "headers = { Authorization = \"Bearer t\\r\\nX-Injected: 1\" }\n",
         "the value of \"Authorization\" holds a control character"},
        {hook + "headers = { Authorization = \"Bearer \\u0000\" }\n", "holds a control character"},
        {hook + "headers = { Host = \"evil.example\" }\n", "\"Host\" is set by smtpprobe itself"},
        {"[[alerts.webhook]]\nurl = \"file:///etc/passwd\"\n", "must start with https://"},
        {"[[alerts.webhook]]\nurl = \"https://hooks.example.org/a b\"\n",
         "needs a valid host[:port] and no spaces or control characters"},
        {"[[alerts.webhook]]\nurl = \"http://hooks.example.org/a\\r\\nX: y\"\n",
         "no spaces or control characters"},
        {"[[alerts.command]]\ncommand = \"/nonexistent/hook --x\"\n",
         "alerts.command[0].command: \"/nonexistent/hook\" is not an executable file"},
        {"[[alerts.command]]\ncommand = \"bin/hook\"\n", "\"bin/hook\" is a relative path"},
        {"[[alerts.command]]\ncommand = \"no-such-program-smtpprobe\"\n",
         "no program \"no-such-program-smtpprobe\" on PATH"},
        {"[[alerts.command]]\ncommand = \"logger\\nrm -rf /tmp/x\"\n", "it must be one line"},
        {"[[alerts.mail]]\nto = [\"a@b.example\"]\nsendmail = \"/nonexistent/sendmail -t\"\n",
         "alerts.mail[0].sendmail: \"/nonexistent/sendmail\" is not an executable file"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        auto problems = problems_of(c.text);
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].find(c.expected) != std::string::npos);
    }
    CHECK(problems_of(hook + "headers = { Authorization = \"Bearer t\", X-Team = \"ops\" }\n")
              .empty());
    CHECK(problems_of("[[alerts.command]]\ncommand = \"cat >> /tmp/x\"\n").empty());
    CHECK(problems_of("[[alerts.command]]\ncommand = \"/bin/sh -c 'exit 0'\"\n").empty());
    CHECK(problems_of("[[alerts.command]]\ncommand = \"FOO=1 exec logger\"\n").empty());
    CHECK(problems_of("dns_server = \"[::1]:53\"\n").empty());
}

TEST_CASE("[run] gives the node's name and interval, by default the host name and 15 minutes")
{
    Config defaults = parse_config("", "c.toml");
    CHECK(defaults.run.node.empty());
    CHECK(defaults.run.interval == std::chrono::minutes(15));
    Config c = parse_config("[run]\nnode = \"mx1.example.org\"\ninterval = \"5m\"\n", "c.toml");
    CHECK(c.run.node == "mx1.example.org");
    CHECK(c.run.interval == std::chrono::minutes(5));
}

TEST_CASE("a receiver's fleet spacing defaults to min_interval / 15, its fleet concurrency to 2")
{
    Config defaults = parse_config("", "c.toml");
    REQUIRE_FALSE(defaults.receivers.empty());
    CHECK_FALSE(defaults.receivers[0].fleet_min_interval);
    CHECK(defaults.receivers[0].fleet_spacing() == std::chrono::minutes(1)); // 15 min / 15
    CHECK(defaults.receivers[0].fleet_concurrency == 2);
    Config c = parse_config(R"(
[probes]
default_receivers = false
[[receiver]]
name = "short"
mx = "127.0.0.1:2525"
recipient = "user@example.net"
interval = "10m"
min_interval = 10
[[receiver]]
name = "set"
mx = "127.0.0.1:2526"
recipient = "user@example.net"
fleet_min_interval = "2m"
fleet_concurrency = 5
)",
                            "c.toml");
    REQUIRE(c.receivers.size() == 2);
    CHECK(c.receivers[0].fleet_spacing() == std::chrono::seconds(1)); // never below 1 s
    CHECK(c.receivers[1].fleet_spacing() == std::chrono::minutes(2));
    CHECK(c.receivers[1].fleet_concurrency == 5);
    const std::string receiver = "[[receiver]]\ndomain = \"a.example\"\nrecipient = "
                                 "\"x@a.example\"\ninterval = \"1h\"\n";
    auto problems = problems_of(receiver + "fleet_min_interval = \"2h\"\n");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("c.toml:5:22: receiver[0].fleet_min_interval: fleet_min_interval (the "
                           "least time between two probes of this receiver from the whole fleet) "
                           "must not exceed interval") != std::string::npos);
    problems = problems_of(receiver + "fleet_concurrency = 0\n");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("c.toml:5:21: receiver[0].fleet_concurrency: must be between 1 and "
                           "1000, got 0") != std::string::npos);
    problems = problems_of(receiver + "fleet_min_interval = 0\n");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("receiver[0].fleet_min_interval: a duration must be positive") !=
          std::string::npos);
}

TEST_CASE("durations")
{
    std::chrono::seconds out{};
    CHECK(parse_duration("90", &out));
    CHECK(out.count() == 90);
    CHECK(parse_duration("1h30m", &out));
    CHECK(out.count() == 5400);
    CHECK(parse_duration("2d", &out));
    CHECK(out.count() == 172800);
    for (const char* bad : {"", "0", "-5m", "5x", "1h30", "m", "99999999999999999999s"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad, &out));
    }
}

TEST_CASE("config check prints every problem and exits 2, or a summary and exits 0")
{
    smtpprobe::test::TempDir dir;
    smtpprobe::test::write_file(dir.file("bad.toml"), "db = 1\n[episodes]\nopen_after = 0\n");
    auto bad = smtpprobe::test::run_smtpprobe({"config", "check", dir.file("bad.toml")});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find(dir.file("bad.toml") + ":1:6: db:") != std::string::npos);
    CHECK(bad.err.find(":3:14: episodes.open_after:") != std::string::npos);
    auto good = smtpprobe::test::run_smtpprobe(
        {"config", "check", SMTPPROBE_SOURCE_DIR "/deploy/config.example.toml"});
    CHECK(good.exit_code == 0);
    CHECK(good.out.find(": ok: 1 identities, 4 receivers, 6 DNSBL zones") != std::string::npos);
}
