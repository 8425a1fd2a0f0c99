// sendmail 8.17's reply= field (the receiver's words, which may hold ", ") before stat=, and
// its "..." shortening: lines as the real sendmail 8.17.1.9 of Debian 12 wrote them in
// tests/integration/test_mta_logs.cpp.
#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/outcome_class.hpp"
#include "monitor/ingest/delivery_classification.hpp"
#include "tests/monitor/ingest/parse_case.hpp"

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::ParseCase;

namespace {

LogRecord parse_one(LineParser& parser, const char* line)
{
    LogRecord record;
    parser.parse(line, record);
    return record;
}

} // namespace

TEST_CASE("sendmail reply= is read up to stat= and wins over stat= for classification")
{
    const char* s3140 =
        "Dec  5 08:46:16 mtahost sendmail[31611]: 6B58kGSQ031609: to=<s3140@outlook.test>, "
        "ctladdr=<sender@mta.sendmail.test> (1000/1000), delay=00:00:00, xdelay=00:00:00, "
        "mailer=esmtp, pri=30141, relay=eur.olc.protection.outlook.com. [127.0.0.5], dsn=5.7.1, "
        "reply=550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact "
        "your Internet servic...g.aspx#errors. [AM4PEPF00027A6C.eurprd04.prod.outlook.com "
        "2026-12-05T08:00:00.000Z 08DC1234ABCD5678], stat=User unknown";
    const ParseCase c{s3140,
                      RecordKind::delivery,
                      Mta::sendmail,
                      "",
                      "6B58kGSQ031609",
                      "s3140@outlook.test",
                      "eur.olc.protection.outlook.com",
                      "127.0.0.5",
                      0,
                      "5.7.1",
                      "User unknown",
                      "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent.",
                      "mtahost"};
    smtpprobe::ingest::test::check_case(c);

    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    LogRecord record = parse_one(parser, s3140);
    CHECK(record.reply_truncated);
    CHECK(record.reply.find("08DC1234ABCD5678]") != std::string_view::npos);
    CHECK(record.reply.find("stat=") == std::string_view::npos);
    // Classified from what is left of the reply, not from "User unknown"; "(S3140)" was in
    // the part sendmail dropped, so only the block itself is known.
    const auto& classifier = smtpprobe::classify::Classifier::builtin();
    auto result = classifier.classify(classifier_input(record));
    CHECK(result.provider_code.empty());
    CHECK(result.reason == "blocked");
    CHECK(smtpprobe::evidence::outcome_class(result) == smtpprobe::evidence::OutcomeClass::blocked);

    const char* ms606 =
        "Dec  5 08:46:17 mtahost sendmail[31617]: 6B58kGr9031613: to=<ms606@outlook.test>, "
        "ctladdr=<sender@mta.sendmail.test> (1000/1000), delay=00:00:01, xdelay=00:00:00, "
        "mailer=esmtp, pri=30141, relay=eur.olc.protection.outlook.com. [127.0.0.5], "
        "dsn=5.7.606, reply=550 5.7.606 Access denied, banned sending IP [127.0.0.1]. To "
        "request removal from this list please v...o http://go.microsoft.com/fwlink/"
        "?LinkID=526655 AS(1430) [DB5PEPF00014B8F.eurprd04.prod.outlook.com], stat=User unknown";
    record = parse_one(parser, ms606);
    CHECK(record.dsn == "5.7.606");
    CHECK(record.status == "User unknown");
    result = classifier.classify(classifier_input(record));
    CHECK(result.reason == "blocked");
    CHECK(result.provider_code == "AS(1430)");
    CHECK(smtpprobe::evidence::outcome_class(result) == smtpprobe::evidence::OutcomeClass::blocked);
}

TEST_CASE("sendmail deferrals: reply= differs from stat=, connection failures are not blocks")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    const auto& classifier = smtpprobe::classify::Classifier::builtin();
    // The 421 came at RCPT; sendmail's stat= names the reset that followed it.
    LogRecord record = parse_one(
        parser, "Dec  5 08:45:47 mtahost sendmail[31242]: 6B58jhVY031160: to=<tss04@yahoo.test>, "
                "ctladdr=<sender@mta.sendmail.test> (1000/1000), delay=00:00:04, "
                "xdelay=00:00:01, mailer=esmtp, pri=210258, relay=mta5.am0.yahoodns.net. "
                "[127.0.0.6], dsn=4.7.0, reply=421 4.7.0 [TSS04] Messages from 127.0.0.1 "
                "temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; "
                "see https://postmaster.yahooinc.com/error-codes, stat=Deferred: Connection reset "
                "by mta5.am0.yahoodns.net.");
    CHECK(record.status == "Deferred: Connection reset by mta5.am0.yahoodns.net.");
    CHECK(record.reply.substr(0, 20) == "421 4.7.0 [TSS04] Me");
    CHECK_FALSE(record.reply_truncated);
    auto result = classifier.classify(classifier_input(record));
    CHECK(result.provider_code == "TSS04");

    struct Row {
        const char* line;
        const char* reason;
        smtpprobe::evidence::OutcomeClass outcome;
    };
    const Row rows[] = {
        {"Dec  5 08:43:56 mtahost sendmail[29660]: 6B58ht4A029653: to=<x@refused.test>, "
         "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=30256, relay=mx.refused.test. "
         "[127.0.0.3], dsn=4.4.1, stat=Deferred: Connection refused by mx.refused.test.",
         "networkerror", smtpprobe::evidence::OutcomeClass::unreachable},
        {"Dec  5 08:44:01 mtahost sendmail[29677]: 6B58huxR029675: to=<x@slow.test>, "
         "delay=00:00:05, xdelay=00:00:05, mailer=esmtp, pri=30253, relay=mx.slow.test. "
         "[127.0.0.4], dsn=4.4.2, stat=Deferred: Connection timed out with mx.slow.test.",
         "networkerror", smtpprobe::evidence::OutcomeClass::unreachable},
        {"Dec  5 08:44:01 mail sm-mta[1]: 6B58huxR029675: to=<x@loop.test>, delay=00:00:00, "
         "xdelay=00:00:00, mailer=esmtp, pri=30253, relay=mx.loop.test. [127.0.0.1], "
         "dsn=5.3.5, stat=Local configuration error",
         "systemerror", smtpprobe::evidence::OutcomeClass::local_config},
    };
    for (const Row& row : rows) {
        CAPTURE(row.line);
        record = parse_one(parser, row.line);
        REQUIRE(record.kind == RecordKind::delivery);
        result = classifier.classify(classifier_input(record));
        CHECK(result.reason == row.reason);
        CHECK(smtpprobe::evidence::outcome_class(result) == row.outcome);
        CHECK_FALSE(smtpprobe::evidence::outcome_class(result) ==
                    smtpprobe::evidence::OutcomeClass::blocked);
        CHECK(result.meaning.find("was returned") == std::string_view::npos);
    }
}

TEST_CASE("sendmail: a hostile reply holding ', stat=' cannot hide the receiver's first words")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    LogRecord record = parse_one(
        parser, "Dec  5 08:46:16 h sm-mta[1]: 6B58kGSQ031609: to=<a@b.test>, delay=00:00:00, "
                "mailer=esmtp, pri=1, relay=mx.b.test. [192.0.2.1], dsn=5.7.1, reply=550 5.7.1 "
                "blocked (S3140), stat=Sent, x=y, stat=User unknown");
    CHECK(record.reply == "550 5.7.1 blocked (S3140)");
    CHECK(record.recipient == "a@b.test");
}
