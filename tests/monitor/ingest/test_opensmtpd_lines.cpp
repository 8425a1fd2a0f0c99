// OpenSMTPD 6.8 lines as the real daemon (Debian 12) logged them through syslog in
// tests/integration/test_mta_logs.cpp: remote (mta) and local (mda) deliveries, the network
// error form without an address, and the receipts it injects through a local session.
#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/outcome_class.hpp"
#include "monitor/ingest/delivery_classification.hpp"
#include "tests/monitor/ingest/parse_case.hpp"

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::ParseCase;

TEST_CASE("opensmtpd mta and mda delivery lines")
{
    const ParseCase cases[] = {
        {"Dec  5 08:50:54 mtahost smtpd[4642]: 5f9d0a404737c762 mta delivery "
         "evpid=5941c8dbde895634 from=<sender@mta.opensmtpd.test> to=<s3140@outlook.test> "
         "rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.0.5 (eur.olc.protection.outlook.com)\" "
         "delay=0s result=\"PermFail\" stat=\"550 5.7.1 Unfortunately, messages from [127.0.0.1] "
         "weren't sent. Please contact your Internet service provider since part of their "
         "network is on our block list (S3140).\"",
         RecordKind::delivery, Mta::opensmtpd, "2025-12-05T08:50:54Z", "5941c8db",
         "s3140@outlook.test", "eur.olc.protection.outlook.com", "127.0.0.5", 0, "5.7.1", "bounced",
         "550 5.7.1 Unfortunately", "mtahost", "sender@mta.opensmtpd.test"},
        {"Dec  5 08:50:54 mtahost smtpd[4642]: 5f9d0a44d6422e84 mta delivery "
         "evpid=7524f8e99fed030f from=<sender@mta.opensmtpd.test> to=<tss04@yahoo.test> rcpt=<-> "
         "source=\"127.0.0.1\" relay=\"127.0.0.6 (mta5.am0.yahoodns.net)\" delay=0s "
         "result=\"TempFail\" stat=\"421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily "
         "deferred\"",
         RecordKind::delivery, Mta::opensmtpd, "", "7524f8e9", "tss04@yahoo.test",
         "mta5.am0.yahoodns.net", "127.0.0.6", 0, "4.7.0", "deferred", "421 4.7.0 [TSS04]",
         "mtahost", "sender@mta.opensmtpd.test"},
        {"Dec  5 08:51:05 mtahost smtpd[4642]: 0000000000000000 mta delivery "
         "evpid=a9bd64cc8880c357 from=<sender@mta.opensmtpd.test> to=<x@refused.test> rcpt=<-> "
         "source=\"-\" relay=\"mx.refused.test\" delay=11s result=\"TempFail\" stat=\"Network "
         "error on destination MXs\"",
         RecordKind::delivery, Mta::opensmtpd, "", "a9bd64cc", "x@refused.test", "mx.refused.test",
         "", 0, "", "deferred", "Network error on destination MXs", "mtahost",
         "sender@mta.opensmtpd.test"},
        {"Dec  5 08:50:55 mtahost smtpd[4642]: 5f9d0a51c7342ea9 mda delivery "
         "evpid=eaa900971257eade from=<> to=<sender@mta.opensmtpd.test> "
         "rcpt=<sender@mta.opensmtpd.test> user=sender delay=0s result=Ok stat=Delivered",
         RecordKind::delivery, Mta::opensmtpd, "", "eaa90097", "sender@mta.opensmtpd.test", "", "",
         0, "", "sent", "Delivered", "mtahost", ""},
        {"Dec  5 08:50:54 mtahost smtpd[4642]: 5f9d0a3c86e9d216 smtp envelope "
         "evpid=5941c8dbde895634 from=<sender@mta.opensmtpd.test> to=<s3140@outlook.test>",
         RecordKind::message_from, Mta::opensmtpd, "", "5941c8db", "s3140@outlook.test", "", "", 0,
         "", "", "", "mtahost", "sender@mta.opensmtpd.test"},
        {"Dec  5 08:50:45 mtahost smtpd[4632]: info: OpenSMTPD 6.8.0p2 starting",
         RecordKind::ignored, Mta::opensmtpd, "", "", "", "", "", 0, "", "", "", "mtahost"},
    };
    for (const ParseCase& c : cases) {
        smtpprobe::ingest::test::check_case(c);
    }
}

TEST_CASE("opensmtpd: network error is unreachable, not a block, and --format opensmtpd")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time, LogFormat::opensmtpd);
    LogRecord r;
    REQUIRE(parser.parse("Dec  5 08:51:05 mtahost opensmtpd[4642]: 0000000000000000 mta delivery "
                         "evpid=a9bd64cc8880c357 from=<s@a.test> to=<x@refused.test> rcpt=<-> "
                         "source=\"-\" relay=\"mx.refused.test\" delay=1m11s result=\"TempFail\" "
                         "stat=\"Network error on destination MXs\"",
                         r) == RecordKind::delivery);
    CHECK(r.delay == 71);
    auto result = smtpprobe::classify::Classifier::builtin().classify(classifier_input(r));
    CHECK(result.reason == "networkerror");
    CHECK(smtpprobe::evidence::outcome_class(result) ==
          smtpprobe::evidence::OutcomeClass::unreachable);
    CHECK(parse_log_format("opensmtpd") == LogFormat::opensmtpd);
}

TEST_CASE("opensmtpd receipt: a DSN injected through a local session after a delivery")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    LogRecord r;
    const char* lines[] = {
        "Dec  5 08:50:59 mtahost smtpd[4642]: 5f9d0a586bb10a15 mda delivery "
        "evpid=965f9db05ca4bbdc from=<victim@ok.test> to=<sender@mta.opensmtpd.test> "
        "rcpt=<sender@mta.opensmtpd.test> user=sender delay=0s result=Ok stat=Delivered",
        "Dec  5 08:51:00 mtahost smtpd[4642]: 5f9d0a5a2d45c60b smtp connected address=local "
        "host=mta.opensmtpd.test",
    };
    for (const char* line : lines) {
        parser.parse(line, r);
    }
    CHECK(parser.parse("Dec  5 08:51:00 mtahost smtpd[4642]: 5f9d0a5a2d45c60b smtp envelope "
                       "evpid=5928d4e9f331df9a from=<> to=<victim@ok.test>",
                       r) == RecordKind::receipt);
    CHECK(r.detail == "5928d4e9: success DSN to victim@ok.test");
    // A bounce to a sender whose delivery failed is not a receipt.
    parser.parse("Dec  5 08:50:54 mtahost smtpd[4642]: 5f9d0a404737c762 mta delivery "
                 "evpid=5941c8dbde895634 from=<sender@mta.opensmtpd.test> to=<s3140@outlook.test> "
                 "rcpt=<-> source=\"127.0.0.1\" relay=\"127.0.0.5 (x)\" delay=0s "
                 "result=\"PermFail\" stat=\"550 5.7.1 no\"",
                 r);
    parser.parse("Dec  5 08:50:55 mtahost smtpd[4642]: 5f9d0a4f83b98908 smtp connected "
                 "address=local host=mta.opensmtpd.test",
                 r);
    CHECK(parser.parse("Dec  5 08:50:55 mtahost smtpd[4642]: 5f9d0a4f83b98908 smtp envelope "
                       "evpid=eaa900971257eade from=<> to=<sender@mta.opensmtpd.test>",
                       r) == RecordKind::message_from);
}
