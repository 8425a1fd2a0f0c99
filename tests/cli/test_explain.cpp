// `smtpprobe explain`: a full reply, a bare status, a provider code; --json fields; unknown
// input exits 1; --host gives the scope; --rules adds rules, a bad rule file exits 2 with one
// line naming the file, rule and field.
#include "tests/support/child_process.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using smtpprobe::test::run_smtpprobe;
using smtpprobe::test::TempDir;
using smtpprobe::test::write_file;

TEST_CASE("explain: a status, a provider code and a full reply")
{
    auto status = run_smtpprobe({"explain", "5.7.606"});
    CHECK(status.exit_code == 0);
    CHECK(status.out.find("blocked") != std::string::npos);
    CHECK(status.out.find("sender.office.com") != std::string::npos);

    auto code = run_smtpprobe({"explain", "S3140"});
    CHECK(code.exit_code == 0);
    CHECK(code.out.find("microsoft-consumer") != std::string::npos);
    CHECK(code.out.find("S3140") != std::string::npos);

    auto reply = run_smtpprobe({"explain", "--host", "eur.olc.protection.outlook.com",
                                "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't "
                                "sent. ... on our block list (S3140)."});
    CHECK(reply.exit_code == 0);
    CHECK(reply.out.find("microsoft-consumer/eur") != std::string::npos);
    CHECK(reply.out.find("203.0.113.9") != std::string::npos);
}

TEST_CASE("explain --json: the documented fields")
{
    auto r = run_smtpprobe({"--json", "explain", "--host", "mit-edu.mail.protection.outlook.com",
                            "dsn=5.7.606, stat=User unknown"});
    REQUIRE(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["provider"] == "microsoft-365");
    CHECK(doc["scope"] == "microsoft-365/mit-edu");
    CHECK(doc["reason"] == "blocked");
    CHECK(doc["about"] == "ip");
    CHECK(doc["status"] == "5.7.606");
    CHECK(doc["rule_id"] == "microsoft.banned-ip-606-649");
    for (const char* field : {"provider_code", "named_ip", "meaning", "action", "source"}) {
        CHECK(doc.contains(field));
    }
}

TEST_CASE("explain: unknown input says so and exits 1")
{
    auto r = run_smtpprobe({"explain", "hello there"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("unknown") != std::string::npos);
    auto j = run_smtpprobe({"--json", "explain", "hello there"});
    CHECK(j.exit_code == 1);
    CHECK(nlohmann::json::parse(j.out)["known"] == false);
}

TEST_CASE("explain --rules: a user rule is used and a bad file is exit 2 with one line")
{
    TempDir dir;
    const std::string good = dir.file("good.toml");
    write_file(good, "[[rule]]\nid = \"local.frob\"\nreason = \"blocked\"\nabout = \"ip\"\n"
                     "contains = \"frobnicated\"\nmeaning = \"ours\"\naction = \"call bob\"\n"
                     "source = \"local\"\n");
    auto r = run_smtpprobe({"--rules", good, "--json", "explain", "550 you are frobnicated"});
    CHECK(r.exit_code == 0);
    CHECK(nlohmann::json::parse(r.out)["rule_id"] == "local.frob");

    const std::string bad = dir.file("bad.toml");
    write_file(bad, "[[rule]]\nid = \"local.bad\"\nreason = \"nope\"\nabout = \"ip\"\n"
                    "code = 550\nmeaning = \"m\"\naction = \"a\"\nsource = \"s\"\n");
    auto b = run_smtpprobe({"--rules", bad, "explain", "5.7.606"});
    CHECK(b.exit_code == 2);
    CHECK(std::count(b.err.begin(), b.err.end(), '\n') == 1);
    CHECK(b.err.find("bad.toml") != std::string::npos);
    CHECK(b.err.find("local.bad") != std::string::npos);
    CHECK(b.err.find("reason") != std::string::npos);

    // The config key `rules` (relative to the config file) works like --rules.
    write_file(dir.file("config.toml"), "rules = \"good.toml\"\n");
    auto c = run_smtpprobe(
        {"--config", dir.file("config.toml"), "--json", "explain", "550 you are frobnicated"});
    CHECK(c.exit_code == 0);
    CHECK(nlohmann::json::parse(c.out)["rule_id"] == "local.frob");
}
