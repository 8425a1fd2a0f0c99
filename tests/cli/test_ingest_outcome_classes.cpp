// `smtpprobe ingest log` names each outcome class apart: a block of our IP is the only thing
// counted as "refused as a block"; unreachable receivers, TLS, AUTH and local configuration
// errors appear under their own headings with their own advice; a timeout is a deferral,
// not "returned to the sender". Lines as real sendmail 8.17, Exim 4.96 and OpenSMTPD 6.8 wrote
// them (tests/integration/test_mta_logs.cpp).
#include "tests/support/child_process.hpp"
#include "tests/support/mta_traffic.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe::test;

namespace {

const char* const k_log =
    "Dec  5 08:46:16 mtahost sendmail[31611]: 6B58kGSQ031609: to=<s3140@outlook.test>, "
    "delay=00:00:00, xdelay=00:00:00, mailer=esmtp, pri=30141, "
    "relay=eur.olc.protection.outlook.com. [127.0.0.5], dsn=5.7.1, reply=550 5.7.1 "
    "Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your Internet "
    "servic...g.aspx#errors. [AM4PEPF00027A6C.eurprd04.prod.outlook.com], stat=User unknown\n"
    "Dec  5 08:43:56 mtahost sendmail[29660]: 6B58ht4A029653: to=<x@refused.test>, "
    "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=30256, relay=mx.refused.test. "
    "[127.0.0.3], dsn=4.4.1, stat=Deferred: Connection refused by mx.refused.test.\n"
    "Dec  5 08:44:01 mtahost sendmail[29677]: 6B58huxR029675: to=<x@slow.test>, "
    "delay=00:00:05, xdelay=00:00:05, mailer=esmtp, pri=30253, relay=mx.slow.test. "
    "[127.0.0.4], dsn=4.4.2, stat=Deferred: Connection timed out with mx.slow.test.\n"
    "Dec  5 08:44:02 mtahost postfix/smtp[77]: 4Abc123: to=<a@example.com>, "
    "relay=smtp.relay.example[192.0.2.9]:587, delay=1, delays=0/0/1/0, dsn=4.7.5, "
    "status=deferred (Cannot start TLS: handshake failure)\n"
    "Dec  5 08:44:03 mtahost postfix/smtp[77]: 4Abc124: to=<b@example.com>, "
    "relay=smtp.relay.example[192.0.2.9]:587, delay=1, delays=0/0/1/0, dsn=5.7.8, "
    "status=bounced (SASL authentication failed; server smtp.relay.example[192.0.2.9] said: "
    "535 5.7.8 Error: authentication failed: authentication failure)\n"
    "Dec  5 08:44:04 mtahost sm-mta[1]: 6B58huxR029676: to=<c@loop.test>, delay=00:00:00, "
    "mailer=esmtp, pri=1, relay=mx.loop.test. [127.0.0.1], dsn=5.3.5, stat=Local configuration "
    "error\n";

} // namespace

TEST_CASE("ingest log: outcome classes under their own names, only blocks counted as blocks")
{
    TempDir dir;
    write_file(dir.file("mail.log"), k_log);
    RunOptions utc;
    utc.env = {{"TZ", "UTC"}};
    RunResult json = run_smtpprobe({"--db", dir.file("h.db"), "--json", "ingest", "log", "--year",
                                    "2026", dir.file("mail.log")},
                                   utc);
    CAPTURE(json.out);
    CAPTURE(json.err);
    CHECK(json.exit_code == 1);
    auto lines = json_lines(json.out);
    REQUIRE(lines.size() == 7);
    CHECK(lines[0]["outcome"] == "blocked");
    CHECK(lines[0]["reply_truncated"] == true);
    CHECK(lines[1]["outcome"] == "unreachable");
    CHECK(lines[2]["outcome"] == "unreachable");
    CHECK(lines[2]["reason"] == "networkerror");
    CHECK(lines[3]["outcome"] == "tls");
    CHECK(lines[4]["outcome"] == "auth");
    CHECK(lines[5]["outcome"] == "config");
    for (std::size_t i = 1; i < 6; ++i) {
        CHECK(lines[i]["verdict"] != "blocked");
    }
    const auto& summary = lines.back()["summary"];
    CHECK(summary["blocked"] == 1);
    CHECK(summary["outcomes"]["blocked"] == 1);
    CHECK(summary["outcomes"]["unreachable"] == 2);
    CHECK(summary["outcomes"]["tls"] == 1);
    CHECK(summary["outcomes"]["auth"] == 1);
    CHECK(summary["outcomes"]["config"] == 1);

    RunResult text = run_smtpprobe(
        {"--db", dir.file("h2.db"), "ingest", "log", "--year", "2026", dir.file("mail.log")}, utc);
    CAPTURE(text.out);
    CHECK(text.out.find("1 refused as a block of our IP or domain") != std::string::npos);
    CHECK(text.out.find("Receiver unreachable: connection refused, timeout or DNS failure") !=
          std::string::npos);
    CHECK(text.out.find("TLS failure on our side") != std::string::npos);
    CHECK(text.out.find("SMTP authentication failure") != std::string::npos);
    CHECK(text.out.find("Local configuration error") != std::string::npos);
    CHECK(text.out.find("returned to the sender") == std::string::npos);
    CHECK(text.out.find("expired") == std::string::npos);
}
