// Exim main log lines (Exim 4.9x formats, old and new message ids, +pid and zone selectors)
// and Exim through syslog. Exim logs no dsn field: dsn is the enhanced status of the reply
// (C="250 2.0.0 ..." or the error's "550 5.7.1 ...") since issue 15.
#include "tests/monitor/ingest/parse_case.hpp"

using namespace smtpprobe::ingest;
using smtpprobe::ingest::test::ParseCase;

TEST_CASE("exim deliveries, failures, deferrals and arrivals")
{
    const ParseCase cases[] = {
        {"2026-11-22 04:10:01 1rAbCd-000123-AB => alice@gmail.com R=dnslookup T=remote_smtp "
         "H=gmail-smtp-in.l.google.com [142.250.102.27] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 "
         "CV=yes C=\"250 2.0.0 OK  1700000000 x1-gsmtp\" QT=1s DT=0s",
         RecordKind::delivery, Mta::exim, "2026-11-22T04:10:01Z", "1rAbCd-000123-AB",
         "alice@gmail.com", "gmail-smtp-in.l.google.com", "142.250.102.27", 0, "2.0.0", "sent",
         "250 2.0.0 OK  1700000000 x1-gsmtp"},
        {"2026-11-22 04:10:01 1rAbCd-000123-AB -> carol@gmail.com R=dnslookup T=remote_smtp "
         "H=gmail-smtp-in.l.google.com [142.250.102.27] C=\"250 2.0.0 OK\"",
         RecordKind::delivery, Mta::exim, "", "1rAbCd-000123-AB", "carol@gmail.com",
         "gmail-smtp-in.l.google.com", "142.250.102.27", 0, "2.0.0", "sent", "250 2.0.0 OK"},
        {"2026-11-22 04:11:02 1rAbCe-000124-CD ** bob@hotmail.com R=dnslookup T=remote_smtp "
         "H=hotmail-com.olc.protection.outlook.com [52.101.68.20]: SMTP error from remote mail "
         "server after MAIL FROM:<s@example.com> SIZE=1234: 550 5.7.1 Unfortunately, messages "
         "from [203.0.113.5] weren't sent. Please contact your Internet service provider since "
         "part of their network is on our block list (S3140).",
         RecordKind::delivery, Mta::exim, "", "1rAbCe-000124-CD", "bob@hotmail.com",
         "hotmail-com.olc.protection.outlook.com", "52.101.68.20", 0, "5.7.1", "bounced",
         "550 5.7.1 Unfortunately, messages from [203.0.113.5]"},
        {"2026-11-22 04:12:03 1rAbCf-000125-EF == c@yahoo.com R=dnslookup T=remote_smtp defer "
         "(-45) H=mta6.am0.yahoodns.net [67.195.228.94]: SMTP error from remote mail server "
         "after RCPT TO:<c@yahoo.com>: 421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily "
         "deferred due to unexpected volume or user complaints",
         RecordKind::delivery, Mta::exim, "", "1rAbCf-000125-EF", "c@yahoo.com",
         "mta6.am0.yahoodns.net", "67.195.228.94", 0, "4.7.0", "deferred", "421 4.7.0 [TSS04]"},
        {"2026-11-22 04:13:00 1rAbCg-000126-GH ** nobody@nowhere.example: Unrouteable address",
         RecordKind::delivery, Mta::exim, "", "1rAbCg-000126-GH", "nobody@nowhere.example", "", "",
         0, "", "bounced", "Unrouteable address"},
        {"2026-11-22 04:14:00.123 [4567] 1qY0nA-000000005Yk-2Jx1 => d@example.net "
         "<alias@example.com> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.1]:2525 "
         "C=\"250 OK id=1qY0nB\"",
         RecordKind::delivery, Mta::exim, "2026-11-22T04:14:00Z", "1qY0nA-000000005Yk-2Jx1",
         "d@example.net", "mx.example.net", "192.0.2.1", 2525, "", "sent", "250 OK id=1qY0nB"},
        {"2026-11-22 05:15:00 +0100 1rAbCh-000127-IJ <= sender@example.com H=localhost "
         "(mail.example.com) [127.0.0.1] P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no "
         "A=plain:sender S=2345 id=msg1@example.com",
         RecordKind::message_from, Mta::exim, "2026-11-22T04:15:00Z", "1rAbCh-000127-IJ", "", "",
         "", 0, "", "", "", "", "sender@example.com"},
        {"2026-11-22 04:16:00 1rAbCh-000127-IJ Completed", RecordKind::message_removed, Mta::exim,
         "", "1rAbCh-000127-IJ"},
        {"2026-11-22 04:17:00 1rAbCi-000128-KL => user <user@local.example> R=localuser "
         "T=local_delivery",
         // A local delivery logs the local part first and the full address in <...>: the
         // recipient is the full address (was "user" before issue 15).
         RecordKind::delivery, Mta::exim, "", "1rAbCi-000128-KL", "user@local.example", "", "", 0,
         "", "sent", ""},
        {"Nov 22 04:18:00 mail exim[123]: 1rAbCj-000129-MN => e@gmail.com R=dnslookup "
         "T=remote_smtp H=gmail-smtp-in.l.google.com [142.250.102.27] C=\"250 2.0.0 OK\"",
         RecordKind::delivery, Mta::exim, "2026-11-22T04:18:00Z", "1rAbCj-000129-MN", "e@gmail.com",
         "gmail-smtp-in.l.google.com", "142.250.102.27", 0, "2.0.0", "sent", "250 2.0.0 OK",
         "mail"},
    };
    for (const ParseCase& c : cases) {
        smtpprobe::ingest::test::check_case(c);
    }
}

TEST_CASE("exim lines that are not about a message are not unparseable")
{
    TimeZone zone("UTC");
    TimeParser time(zone, smtpprobe::ingest::test::k_reference);
    LineParser parser(time);
    LogRecord record;
    CHECK(parser.parse("2026-11-22 04:10:00 Start queue run: pid=1234", record) ==
          RecordKind::foreign);
    CHECK(parser.parse("2026-11-22 04:10:00 exim 4.96 daemon started: pid=1, -q30m", record) ==
          RecordKind::foreign);
}
