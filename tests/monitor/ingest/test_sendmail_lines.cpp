// sendmail (sm-mta) lines: the seed corpus's formats ("relay=host. []", no host field) and
// others sendmail 8.15-8.18 writes (Deferred:, IPv6 relays, d+hh:mm:ss delays, DSNs).
#include "tests/monitor/ingest/parse_case.hpp"

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::ParseCase;

TEST_CASE("sendmail delivery, sender and DSN lines")
{
    const ParseCase cases[] = {
        {"Mar 11 20:18:23 sm-mta[5817]: x2BKIL2H005815: to=<xxxxxxx@mit.edu>, "
         "delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=121914, "
         "relay=mit-edu.mail.protection.outlook.com. [], dsn=5.7.606, stat=User unknown",
         RecordKind::delivery, Mta::sendmail, "2026-03-11T20:18:23Z", "x2BKIL2H005815",
         "xxxxxxx@mit.edu", "mit-edu.mail.protection.outlook.com", "", 0, "5.7.606", "User unknown",
         "User unknown"},
        {"May 02 06:23:00 sm-mta[4024]: 0426Mx1I004021: to=<xxxxx@live.co.uk>, "
         "ctladdr=<eli@billauer.co.il> (510/500), delay=00:00:01, xdelay=00:00:01, "
         "mailer=esmtp, pri=121808, relay=eur.olc.protection.outlook.com. [], dsn=2.0.0, "
         "stat=Sent (<5EAD11C3.20105@billauer.co.il> [InternalId=21887153366859] 10627 bytes "
         "in 0.246, 42.064 KB/sec Queued mail for delivery -> 250 2.1.5)",
         RecordKind::delivery, Mta::sendmail, "2026-05-02T06:23:00Z", "0426Mx1I004021",
         "xxxxx@live.co.uk", "eur.olc.protection.outlook.com", "", 0, "2.0.0",
         "Sent (<5EAD11C3.20105@billauer.co.il> [InternalId=21887153366859] 10627 bytes in "
         "0.246, 42.064 KB/sec Queued mail for delivery -> 250 2.1.5)",
         "<5EAD11C3.20105@billauer.co.il>"},
        {"Nov 21 20:18:23 mail sm-mta[5817]: 5ALKIL2H005815: to=<a@b.example>, "
         "delay=1+02:03:04, xdelay=00:00:02, mailer=esmtp, pri=121914, relay=mx.b.example. "
         "[192.0.2.10], dsn=4.7.1, stat=Deferred: 451 4.7.1 Please try again later",
         RecordKind::delivery, Mta::sendmail, "2026-11-21T20:18:23Z", "5ALKIL2H005815",
         "a@b.example", "mx.b.example", "192.0.2.10", 0, "4.7.1",
         "Deferred: 451 4.7.1 Please try again later", "451 4.7.1 Please try again later", "mail"},
        {"Nov 21 20:19:00 mail sendmail[123]: 5ALKJ0aB000123: to=<x@y.example>, "
         "ctladdr=<u@h.example> (1000/1000), delay=00:00:01, xdelay=00:00:01, mailer=relay, "
         "pri=30000, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (5ALKJ0aC000124 "
         "Message accepted for delivery)",
         RecordKind::delivery, Mta::sendmail, "", "5ALKJ0aB000123", "x@y.example", "", "127.0.0.1",
         0, "2.0.0", "Sent (5ALKJ0aC000124 Message accepted for delivery)",
         "5ALKJ0aC000124 Message accepted", "mail"},
        {"Nov 21 20:20:00 mail sm-mta[9]: 5ALKK0aB000200: to=<p@ipv6.example>, delay=00:00:03, "
         "xdelay=00:00:03, mailer=esmtp, pri=120000, relay=mx.ipv6.example. "
         "[IPv6:2001:db8::25], dsn=5.7.1, stat=Service unavailable",
         RecordKind::delivery, Mta::sendmail, "", "5ALKK0aB000200", "p@ipv6.example",
         "mx.ipv6.example", "2001:db8::25", 0, "5.7.1", "Service unavailable",
         "Service unavailable", "mail"},
        {"Nov 21 20:21:00 mail sm-mta[9]: 5ALKL0aB000300: to=<q@down.example>, delay=00:05:00, "
         "xdelay=00:00:00, mailer=esmtp, pri=210000, relay=down.example., dsn=4.0.0, "
         "stat=Deferred: Connection refused by down.example.",
         RecordKind::delivery, Mta::sendmail, "", "5ALKL0aB000300", "q@down.example",
         "down.example", "", 0, "4.0.0", "Deferred: Connection refused by down.example.",
         "Connection refused by down.example.", "mail"},
        {"Jul 15 10:15:31 sm-mta[12697]: 06FAFTbL012697: from=<spamvictim@billauer.co.il>, "
         "size=121, class=0, nrcpts=1, msgid=<202007151015.06FAFTbL012697@mx.mymailserver.com>,"
         " proto=ESMTP, daemon=IPv4-port-587, relay=46-117-33-227.bb.netvision.net.il",
         RecordKind::message_from, Mta::sendmail, "2026-07-15T10:15:31Z", "06FAFTbL012697", "", "",
         "", 0, "", "", "", "", "spamvictim@billauer.co.il"},
        {"Jul 15 10:15:31 sm-mta[12698]: 06FAFTbL012697: 06FAFVbL012698: DSN: Return receipt",
         RecordKind::receipt, Mta::sendmail, "", "06FAFTbL012697", "", "", "", 0, "",
         "Return receipt"},
        {"May 01 15:10:28 sm-mta[2239]: 041FASMh002237: 041FASMh002239: DSN: Service "
         "unavailable",
         RecordKind::ignored, Mta::sendmail, "", "041FASMh002237", "", "", "", 0, "",
         "Service unavailable"},
        {"Nov 21 20:22:00 mail sm-mta[10]: STARTTLS=client, relay=mx.b.example., version=TLSv1.3,"
         " verify=OK, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
         RecordKind::ignored, Mta::sendmail, "", "", "", "", "", 0, "", "", "", "mail"},
        {"Nov 21 20:23:00 mail sm-mta[11]: 5ALKM0aB000400: to=<r@x.example>, delay=00:00",
         RecordKind::unparseable, Mta::sendmail, "", "5ALKM0aB000400", "r@x.example", "", "", 0, "",
         "", "", "mail"},
    };
    for (const ParseCase& c : cases) {
        smtpprobe::ingest::test::check_case(c);
    }
}

TEST_CASE("sendmail delay forms and local mailers")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    LogRecord record;
    REQUIRE(parser.parse("Jul 15 10:15:31 sm-mta[12698]: 06FAFVbL012698: "
                         "to=<spamvictim@billauer.co.il>, delay=1+00:00:05, xdelay=00:00:00, "
                         "mailer=local, pri=30000, dsn=2.0.0, stat=Sent",
                         record) == RecordKind::delivery);
    CHECK(record.delay == doctest::Approx(86405));
    CHECK(record.local);
}
