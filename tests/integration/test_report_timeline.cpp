// One IP, one receiver, every kind of evidence in one timeline lane (issue 19): a DMARC
// report from Outlook.com counting yesterday's mail from our IP (clear), a real probe refused
// by a real Postfix that answers as outlook-com.olc.protection.outlook.com with Outlook's
// S3140 text (the episode opens), a bounce from that cluster naming our IP, an SNDS status
// range blocking it (fetched over HTTPS from a test server), then the block lifted: the next
// probe is accepted (the episode closes at its evidence) and SNDS says normal. /api/timeline
// shows all of it, episode and report items, in the lane of (our IP, microsoft-consumer/
// outlook-com).
#include "tests/support/child_process.hpp"
#include "tests/support/dns_server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/https_server.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>

using namespace smtpprobe::test;
using nlohmann::json;

namespace {

constexpr const char* k_ip = "127.0.0.10";
constexpr const char* k_scope = "microsoft-consumer/outlook-com";
constexpr const char* k_mx = "outlook-com.olc.protection.outlook.com";
constexpr const char* k_s3140 =
    "550 5.7.1 Unfortunately, messages from [127.0.0.10] weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list (S3140). You "
    "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";

enum class Form { snds_day, rfc5322 };

std::string utc(std::time_t t, Form form)
{
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[64];
    if (form == Form::snds_day) {
        std::strftime(out, sizeof out, "%m/%d/%Y", &tm);
    } else {
        std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    }
    return out;
}

std::string dmarc_report(std::time_t begin)
{
    std::ostringstream x;
    x << "<?xml version=\"1.0\"?>\n<feedback>\n<version>1.0</version>\n<report_metadata>\n"
      << "<org_name>Outlook.com</org_name>\n<email>dmarcreport@microsoft.com</email>\n"
      << "<report_id>timeline-0001</report_id>\n<date_range><begin>" << begin << "</begin><end>"
      << begin + 86399 << "</end></date_range>\n</report_metadata>\n"
      << "<policy_published><domain>sender.test</domain><adkim>r</adkim><aspf>r</aspf>"
      << "<p>quarantine</p></policy_published>\n<record><row><source_ip>" << k_ip
      << "</source_ip><count>12</count><policy_evaluated><disposition>none</disposition>"
      << "<dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers>"
      << "<header_from>sender.test</header_from></identifiers><auth_results><dkim><domain>"
      << "sender.test</domain><selector>s1</selector><result>pass</result></dkim><spf><domain>"
      << "sender.test</domain><result>pass</result></spf></auth_results></record>\n</feedback>\n";
    return x.str();
}

std::string bounce(const std::string& date)
{
    return "From: MAILER-DAEMON@mail.sender.test\nTo: probe@sender.test\n"
           "Subject: Undelivered Mail Returned to Sender\nDate: " +
           date +
           "\nMessage-ID: <timeline-bounce@mail.sender.test>\nMIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
           "--B\nContent-Type: text/plain\n\n<user@outlook.test>: host " +
           std::string(k_mx) + "[127.0.0.1] said: " + k_s3140 +
           "\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; "
           "mail.sender.test\nArrival-Date: " +
           date +
           "\n\nFinal-Recipient: rfc822; user@outlook.test\nAction: failed\nStatus: 5.7.1\n"
           "Remote-MTA: dns; " +
           k_mx + "\nDiagnostic-Code: smtp; " + k_s3140 + "\n\n--B--\n";
}

} // namespace

TEST_CASE("timeline: probe refusal, bounce, SNDS block and DMARC report in one lane")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("starting Postfix needs root");
    }
    TempDir dir;
    PostfixConfig pc;
    pc.domain = "outlook.test";
    pc.hostname = k_mx;
    pc.client_access = std::string(k_ip) + " " + k_s3140;
    PostfixInstance postfix(pc);
    postfix.start();
    DnsServer dns({"--mx-host=outlook.test," + std::string(k_mx) + ",10",
                   "--host-record=" + std::string(k_mx) + ",127.0.0.1"},
                  {"test", "com"});
    const TlsFiles tls = make_self_signed_cert(dir.path(), "localhost");
    HttpsServer snds(tls.cert_path, tls.key_path);
    write_file(dir.file("snds.key"), "timeline-test-key\n");
    ::chmod(dir.file("snds.key").c_str(), 0600);
    std::ostringstream c;
    c << "dns_server = \"" << dns.address() << "\"\n"
      << "[[identity]]\nname = \"main\"\nip = \"" << k_ip << "\"\n"
      << "helo = \"mail.sender.test\"\nmail_from = \"probe@sender.test\"\n"
      << "[probes]\ndefault_receivers = false\ntimeout = 20\nstarttls = false\n"
      << "[[receiver]]\nname = \"outlook\"\ndomain = \"outlook.test\"\nport = " << postfix.port()
      << "\nrecipient = \"user@outlook.test\"\ninterval = 1\nmin_interval = 1\njitter = 1\n"
      << "[dnsbl]\ndefault_zones = false\n[hygiene]\nenabled = false\n"
      << "[snds]\nkey_file = \"" << dir.file("snds.key") << "\"\ntimeout = \"5s\"\n";
    write_file(dir.file("config.toml"), c.str());
    auto cli = [&](std::vector<std::string> args) {
        std::vector<std::string> full = {"--config", dir.file("config.toml"), "--db",
                                         dir.file("history.db")};
        full.insert(full.end(), args.begin(), args.end());
        RunOptions options;
        options.timeout = std::chrono::seconds(90);
        options.env["SSL_CERT_FILE"] = tls.cert_path;
        return run_smtpprobe(full, options);
    };
    const std::string snds_url = "https://127.0.0.1:" + std::to_string(snds.port()) + "/snds/";
    const std::time_t now = std::time(nullptr);
    const std::string yesterday = utc(now - 86400, Form::snds_day);

    // 1. Outlook.com's DMARC report for yesterday counts 12 messages from our IP: clear.
    const std::time_t day_start = (now - 86400) / 86400 * 86400;
    write_file(dir.file("report.xml"), dmarc_report(day_start));
    RunResult r = cli({"ingest", "dmarc", dir.file("report.xml")});
    REQUIRE_MESSAGE(r.exit_code == 0, std::string(r.out + r.err));

    // 2. The probe is refused (S3140) and SNDS lists a blocked range covering our IP.
    snds.set("/snds/ipStatus.aspx",
             {200, "127.0.0.0,127.0.0.255,Yes,Blocked due to user complaints or other evidence "
                   "of spamming\r\n"});
    snds.set("/snds/data.aspx", {200, "127.0.0.10," + yesterday + " 12:00 AM," + yesterday +
                                          " 11:59 PM,40,40,40,GREEN,< 0.1%,,,0,,,\r\n"});
    r = cli({"run", "--now", "--snds-url", snds_url});
    CHECK_MESSAGE(r.exit_code == 1, std::string(r.out + r.err));

    // 3. A bounce from that cluster, a moment later, names our IP.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    write_file(dir.file("bounce.eml"), bounce(utc(std::time(nullptr), Form::rfc5322)));
    r = cli({"ingest", "bounce", dir.file("bounce.eml")});
    CHECK_MESSAGE(r.exit_code == 1, std::string(r.out + r.err));

    // 4. Delisted: the probe is accepted and SNDS lists nothing.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    postfix.set_access_map(AccessMap::client, "");
    snds.set("/snds/ipStatus.aspx", {200, ""});
    r = cli({"run", "--now", "--snds-url", snds_url});
    CHECK_MESSAGE(r.exit_code == 0, std::string(r.out + r.err));

    // The dashboard's timeline: one lane holds it all.
    const int port = free_tcp_port();
    Daemon web({SMTPPROBE_BINARY, "--config", dir.file("config.toml"), "--db",
                dir.file("history.db"), "serve", "--listen", "127.0.0.1:" + std::to_string(port)},
               dir.file("serve.log"));
    REQUIRE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(20)));
    const HttpResult got = http_get(port, "/api/timeline");
    REQUIRE(got.status == 200);
    const json timeline = json::parse(got.body);
    std::set<std::pair<std::string, std::string>> lanes;
    std::map<std::string, std::vector<json>> by_source;
    for (const json& e : timeline["evidence"]) {
        lanes.insert({e["ip"].get<std::string>(), e["scope"].get<std::string>()});
        by_source[e["source_kind"].get<std::string>()].push_back(e);
    }
    for (const json& e : timeline["episodes"]) {
        lanes.insert({e["ip"].get<std::string>(), e["scope"].get<std::string>()});
    }
    for (const json& item : timeline["reports"]) {
        lanes.insert({item["ip"].get<std::string>(), item["scope"].get<std::string>()});
    }
    CHECK(lanes == std::set<std::pair<std::string, std::string>>{{k_ip, k_scope}});
    REQUIRE(by_source["dmarc"].size() == 1);
    CHECK(by_source["dmarc"][0]["verdict"] == "clear");
    CHECK(by_source["dmarc"][0]["observations"] == 12);
    REQUIRE(by_source["probe"].size() == 2);
    CHECK(by_source["probe"][0]["verdict"] == "blocked");
    CHECK(by_source["probe"][0]["provider_code"] == "S3140");
    CHECK(by_source["probe"][1]["verdict"] == "clear");
    REQUIRE(by_source["bounce"].size() == 1);
    CHECK(by_source["bounce"][0]["verdict"] == "blocked");
    REQUIRE(by_source["snds"].size() == 2);
    CHECK(by_source["snds"][0]["verdict"] == "blocked");
    CHECK(by_source["snds"][1]["verdict"] == "clear");
    std::set<std::string> report_kinds;
    for (const json& item : timeline["reports"]) {
        report_kinds.insert(item["kind"].get<std::string>());
    }
    CHECK(report_kinds == std::set<std::string>{"dmarc", "snds"});

    // One episode, opened by the first blocked evidence after the DMARC clear (the refused
    // probe or the SNDS block of the same tick, whichever the tick timed first: SNDS is timed
    // at its fetch, the probe at its reply, so a second boundary may fall between them) and
    // closed by the accepted probe (the first clear after the bounce and SNDS block).
    REQUIRE(timeline["episodes"].size() == 1);
    const json& episode = timeline["episodes"][0];
    const json& probe_block = by_source["probe"][0];
    const json& snds_block = by_source["snds"][0];
    const bool snds_first =
        std::make_pair(snds_block["time"].get<std::string>(), snds_block["id"].get<long>()) <
        std::make_pair(probe_block["time"].get<std::string>(), probe_block["id"].get<long>());
    const json& opener = snds_first ? snds_block : probe_block;
    CHECK(episode["first_evidence"] == opener["id"]);
    CHECK(episode["opened"] == opener["time"]);
    REQUIRE(episode["closed"].is_string());
    CHECK(episode["closed"] == by_source["probe"][1]["time"]);
    CHECK(episode["opened"] > by_source["dmarc"][0]["time"]);
    CHECK(by_source["bounce"][0]["time"] > episode["opened"]);
    CHECK(by_source["bounce"][0]["time"] < episode["closed"]);
    CHECK(episode["evidence_count"] == 3); // probe, SNDS block, bounce
}
