// Postfix lines in the formats Postfix 3.x writes (smtp, lmtp, error, bounce, qmgr), through
// syslog (classic, RFC 3339, journalctl short-iso) with and without the host field.
#include "tests/monitor/ingest/parse_case.hpp"

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::ParseCase;

TEST_CASE("postfix delivery, sender and queue lines")
{
    const ParseCase cases[] = {
        {"Nov 22 04:10:01 mail postfix/smtp[12345]: 4F2A31C0123: to=<alice@gmail.com>, "
         "relay=gmail-smtp-in.l.google.com[142.250.102.27]:25, delay=1.2, "
         "delays=0.1/0.01/0.4/0.69, dsn=2.0.0, status=sent (250 2.0.0 OK  1700000000 "
         "a1si123456wmq.5 - gsmtp)",
         RecordKind::delivery, Mta::postfix, "2026-11-22T04:10:01Z", "4F2A31C0123",
         "alice@gmail.com", "gmail-smtp-in.l.google.com", "142.250.102.27", 25, "2.0.0", "sent",
         "250 2.0.0 OK  1700000000", "mail"},
        {"Nov 22 04:11:02 mail postfix/smtp[12346]: 8C1F21C0456: to=<bob@hotmail.com>, "
         "relay=hotmail-com.olc.protection.outlook.com[52.101.68.20]:25, delay=0.9, "
         "delays=0.1/0/0.5/0.3, dsn=5.7.1, status=bounced (host "
         "hotmail-com.olc.protection.outlook.com[52.101.68.20] said: 550 5.7.1 Unfortunately, "
         "messages from [203.0.113.5] weren't sent. Please contact your Internet service "
         "provider since part of their network is on our block list (S3140). You can also "
         "refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. "
         "[AM0PR01MB1234.eurprd01.prod.exchangelabs.com] (in reply to MAIL FROM command))",
         RecordKind::delivery, Mta::postfix, "2026-11-22T04:11:02Z", "8C1F21C0456",
         "bob@hotmail.com", "hotmail-com.olc.protection.outlook.com", "52.101.68.20", 25, "5.7.1",
         "bounced", "550 5.7.1 Unfortunately, messages from [203.0.113.5]", "mail"},
        {"Nov 22 04:12:00 mail postfix/smtp[1]: 3A1B2C3D4E: to=<c@example.org>, relay=none, "
         "delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to "
         "mx.example.org[198.51.100.7]:25: Connection timed out)",
         RecordKind::delivery, Mta::postfix, "", "3A1B2C3D4E", "c@example.org", "", "", 0, "4.4.1",
         "deferred", "connect to mx.example.org[198.51.100.7]:25: Connection timed out", "mail"},
        {"Nov 22 04:13:00 mail postfix/lmtp[2]: 5B6C7D8E9F: to=<d@local.example>, "
         "orig_to=<alias@local.example>, relay=mail.example.com[private/dovecot-lmtp], "
         "delay=0.05, delays=0.02/0/0.01/0.02, dsn=2.0.0, status=sent (250 2.0.0 "
         "<d@local.example> abcdef Saved)",
         RecordKind::delivery, Mta::postfix, "", "5B6C7D8E9F", "d@local.example",
         "mail.example.com", "private/dovecot-lmtp", 0, "2.0.0", "sent", "250 2.0.0", "mail"},
        {"Nov 22 04:14:00 mail postfix/error[3]: 7D8E9F0A1B: to=<e@yahoo.com>, relay=none, "
         "delay=3600, delays=3599/1/0/0, dsn=4.7.0, status=deferred (delivery temporarily "
         "suspended: host mta7.am0.yahoodns.net[67.195.204.72] refused to talk to me: 421 "
         "4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred due to unexpected "
         "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes)",
         RecordKind::delivery, Mta::postfix, "", "7D8E9F0A1B", "e@yahoo.com", "", "", 0, "4.7.0",
         "deferred", "delivery temporarily suspended: host mta7", "mail"},
        {"Nov 22 04:10:00 mail postfix/qmgr[999]: 4F2A31C0123: from=<sender@example.com>, "
         "size=1234, nrcpt=1 (queue active)",
         RecordKind::message_from, Mta::postfix, "", "4F2A31C0123", "", "", "", 0, "", "", "",
         "mail", "sender@example.com"},
        {"Nov 22 04:10:02 mail postfix/qmgr[999]: 4F2A31C0123: removed",
         RecordKind::message_removed, Mta::postfix, "", "4F2A31C0123", "", "", "", 0, "", "", "",
         "mail"},
        {"Nov 22 04:15:00 mail postfix/qmgr[999]: 2B3C4D5E6F: from=<x@example.com>, "
         "status=expired, returned to sender",
         RecordKind::ignored, Mta::postfix, "", "2B3C4D5E6F", "", "", "", 0, "", "", "", "mail",
         "x@example.com"},
        {"Nov 22 04:11:03 mail postfix/bounce[4]: 8C1F21C0456: sender non-delivery "
         "notification: 9D0E1F2A3B",
         RecordKind::ignored, Mta::postfix, "", "8C1F21C0456", "", "", "", 0, "", "", "", "mail"},
        {"Nov 22 04:11:04 mail postfix/bounce[4]: 1F2E3D4C5B: sender delivery status "
         "notification: 6A7B8C9D0E",
         RecordKind::receipt, Mta::postfix, "", "1F2E3D4C5B", "", "", "", 0, "",
         "sender delivery status notification", "", "mail"},
        {"Nov 22 04:10:00 mail postfix/smtpd[777]: connect from unknown[192.0.2.1]",
         RecordKind::ignored, Mta::postfix, "", "", "", "", "", 0, "", "", "", "mail"},
        {"Nov 22 04:10:00 mail postfix/cleanup[778]: 4F2A31C0123: "
         "message-id=<20261122041000.4F2A31C0123@mail.example.com>",
         RecordKind::ignored, Mta::postfix, "", "4F2A31C0123", "", "", "", 0, "", "", "", "mail"},
        // rsyslog RFC 3339 high precision, zone +01:00
        {"2026-11-22T05:10:01.123456+01:00 mail postfix/smtp[12345]: 4XyZ1w2v3Qz9sWK: "
         "to=<f@example.net>, relay=mx.example.net[2001:db8::25]:25, delay=0.4, "
         "delays=0/0/0.2/0.2, dsn=2.0.0, status=sent (250 ok)",
         RecordKind::delivery, Mta::postfix, "2026-11-22T04:10:01Z", "4XyZ1w2v3Qz9sWK",
         "f@example.net", "mx.example.net", "2001:db8::25", 25, "2.0.0", "sent", "250 ok", "mail"},
        // journalctl -o short-iso, multi-instance syslog name, no host field
        {"2026-11-22T04:10:01+0000 postfix-out/smtp[5]: ABCDEF1234: to=<g@example.com>, "
         "relay=mx.example.com[192.0.2.33]:587, delay=2, delays=1/0/0.5/0.5, dsn=4.7.1, "
         "status=deferred (host mx.example.com[192.0.2.33] said: 451 4.7.1 Greylisted, try "
         "again later (in reply to RCPT TO command))",
         RecordKind::delivery, Mta::postfix, "2026-11-22T04:10:01Z", "ABCDEF1234", "g@example.com",
         "mx.example.com", "192.0.2.33", 587, "4.7.1", "deferred",
         "451 4.7.1 Greylisted, try again later"},
        // a to= line cut short (truncated write): unparseable, never a half row
        {"Nov 22 04:16:00 mail postfix/smtp[9]: 0A1B2C3D4E: to=<h@example.com>, relay=mx.ex",
         RecordKind::unparseable, Mta::postfix, "", "0A1B2C3D4E", "h@example.com", "mx.ex", "", 0,
         "", "", "", "mail"},
    };
    for (const ParseCase& c : cases) {
        smtpprobe::ingest::test::check_case(c);
    }
}

TEST_CASE("postfix reply: the remote's words without 'host X said:' and 'in reply to'")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    LogRecord record;
    REQUIRE(parser.parse("Nov 22 04:11:02 mail postfix/smtp[1]: 8C1F21C0456: to=<b@x.com>, "
                         "relay=mx.x.com[192.0.2.9]:25, delay=0.9, delays=0.1/0/0.5/0.3, "
                         "dsn=5.1.1, status=bounced (host mx.x.com[192.0.2.9] said: 550 5.1.1 "
                         "<b@x.com>: Recipient address rejected: User unknown (in reply to "
                         "RCPT TO command))",
                         record) == RecordKind::delivery);
    CHECK(record.reply == "550 5.1.1 <b@x.com>: Recipient address rejected: User unknown");
    CHECK(record.delay == doctest::Approx(0.9));
    CHECK_FALSE(record.local);
}
