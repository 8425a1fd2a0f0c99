// The bounce parser on small hand-made reports of each shape: RFC 3464 with folded and
// encoded parts, plain-text reports (qmail, Exim, Exchange), receipts, ARF complaints,
// auto-replies, and input that is no report at all.
#include "monitor/ingest/bounce/bounce_parser.hpp"

#include <doctest/doctest.h>

using namespace smtpprobe::ingest;

namespace {

const char* k_rfc3464 =
    "From: MAILER-DAEMON@mx.example.org\n"
    "To: sender@example.net\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Message-ID: <bounce-1@mx.example.org>\n"
    "Date: Wed, 11 Mar 2026 20:18:23 +0100\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status;\n"
    "\tboundary=\"B1\"\n"
    "\n"
    "--B1\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "I'm sorry to have to inform you that your message could not=\n"
    " be delivered.\n"
    "--B1\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.org\n"
    "X-Postfix-Sender: rfc822; sender@example.net\n"
    "Arrival-Date: Wed, 11 Mar 2026 20:18:20 +0100\n"
    "\n"
    "Final-Recipient: rfc822; user@hotmail.com\n"
    "Original-Recipient: rfc822;User@hotmail.com\n"
    "Action: failed\n"
    "Status: 5.0.0\n"
    "Remote-MTA: dns; eur.olc.protection.outlook.com\n"
    "Diagnostic-Code: smtp; 550 5.7.1 Unfortunately, messages from [192.0.2.25]\n"
    "    weren't sent. Please contact your Internet service provider since part of\n"
    "    their network is on our block list (S3140).\n"
    "Last-Attempt-Date: Wed, 11 Mar 2026 20:18:23 +0100\n"
    "\n"
    "Final-Recipient: rfc822; other@example.com\n"
    "Action: delayed\n"
    "Status: 4.4.1\n"
    "Diagnostic-Code: X-Postfix; connect to mx.example.com[192.0.2.9]:25: Connection\n"
    "    timed out\n"
    "\n"
    "--B1\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <orig-1@example.net>\n"
    "From: Sender <sender@example.net>\n"
    "To: user@hotmail.com\n"
    "Subject: =?UTF-8?B?SGVsbG8=?=\n"
    "Date: Wed, 11 Mar 2026 20:18:00 +0100\n"
    "\n"
    "--B1--\n";

} // namespace

TEST_CASE("bounce parser: RFC 3464 report, folded diagnostic, headers of the original")
{
    const auto report = parse_bounce(k_rfc3464);
    REQUIRE(report);
    CHECK(report->rfc3464);
    CHECK(report->kind == ReportKind::bounce);
    CHECK(report->reporting_mta == "mx.example.org");
    CHECK(report->arrival_date == "Wed, 11 Mar 2026 20:18:20 +0100");
    CHECK(report->original.message_id == "orig-1@example.net");
    CHECK(report->original.subject.find("Hello") != std::string::npos);
    REQUIRE(report->recipients.size() == 2);
    const RecipientReport& r = report->recipients[0];
    CHECK(r.recipient == "user@hotmail.com");
    CHECK(r.original_recipient == "User@hotmail.com");
    CHECK(r.action == "failed");
    CHECK(r.status == "5.7.1"); // the receiver's own code wins over Status: 5.0.0
    CHECK(r.reply_code == 550);
    CHECK(r.remote_mta == "eur.olc.protection.outlook.com");
    CHECK(r.sender == "sender@example.net");
    CHECK(r.diagnostic.find("block list (S3140).") != std::string::npos);
    CHECK(r.diagnostic.find('\n') == std::string::npos);
    CHECK(report->recipients[1].action == "delayed");
    CHECK(report->recipients[1].status == "4.4.1");
    CHECK_FALSE(report->recipients[1].reply_code);
}

TEST_CASE("bounce parser: CRLF input and base64 delivery-status read the same")
{
    std::string crlf;
    for (char c : std::string(k_rfc3464)) {
        if (c == '\n') {
            crlf += '\r';
        }
        crlf += c;
    }
    // The parser takes LF text; the message source normalises. Here: GMime copes with CRLF too.
    const auto report = parse_bounce(crlf);
    REQUIRE(report);
    REQUIRE(report->recipients.size() == 2);
    CHECK(report->recipients[0].status == "5.7.1");

    const std::string b64 = "From: postmaster@example.org\nSubject: failure\n"
                            "Content-Type: multipart/report; report-type=delivery-status; "
                            "boundary=X\n\n--X\nContent-Type: text/plain\n\nfailed\n--X\n"
                            "Content-Type: message/delivery-status\n"
                            "Content-Transfer-Encoding: base64\n\n"
                            // "Final-Recipient: rfc822; a@example.com\nAction: failed\n
                            //  Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n"
                            "RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IGFAZXhhbXBsZS5jb20KQWN0aW9uOiBm\n"
                            "YWlsZWQKU3RhdHVzOiA1LjEuMQpEaWFnbm9zdGljLUNvZGU6IHNtdHA7IDU1MCA1\n"
                            "LjEuMSBubyBzdWNoIHVzZXIK\n--X--\n";
    const auto decoded = parse_bounce(b64);
    REQUIRE(decoded);
    REQUIRE(decoded->recipients.size() == 1);
    CHECK(decoded->recipients[0].recipient == "a@example.com");
    CHECK(decoded->recipients[0].status == "5.1.1");
    CHECK(decoded->recipients[0].reply_code == 550);
}

TEST_CASE("bounce parser: plain-text reports of qmail, Exim and Exchange")
{
    struct Case {
        const char* name;
        std::string message;
        std::string recipient;
        std::string status;
        int code;
        std::string remote;
    };
    const std::string head = "From: MAILER-DAEMON@mx.example.org\nTo: s@example.net\n"
                             "Subject: failure notice\n\n";
    const std::vector<Case> cases = {
        {"qmail",
         head + "Hi. This is the qmail-send program at mx.example.org.\n\n"
                "<kijitora@example.jp>:\n192.0.2.1 does not like recipient.\n"
                "Remote host said: 550 5.1.1 <kijitora@example.jp>... User Unknown\n"
                "Giving up on 192.0.2.1.\n\n--- Below this line is a copy of the message.\n\n"
                "Return-Path: <s@example.net>\nMessage-ID: <o@example.net>\nFrom: s@example.net\n"
                "To: kijitora@example.jp\n\nhi\n",
         "kijitora@example.jp", "5.1.1", 550, ""},
        {"exim",
         head + "This message was created automatically by mail delivery software.\n\n"
                "A message that you sent could not be delivered to one or more of its\n"
                "recipients. This is a permanent error. The following address(es) failed:\n\n"
                "  neko@example.com\n"
                "    host mx.example.com [192.0.2.2]\n"
                "    SMTP error from remote mail server after RCPT TO:<neko@example.com>:\n"
                "    550 5.7.1 Service unavailable; client [192.0.2.25] blocked using "
                "zen.spamhaus.org\n\n"
                "------ This is a copy of the message, including all the headers. ------\n\n"
                "Message-Id: <o2@example.net>\nFrom: s@example.net\n\nhi\n",
         "neko@example.com", "5.7.1", 550, "mx.example.com"},
        {"exchange",
         head + "Your message did not reach some or all of the intended recipients.\n\n"
                "      Subject:  test\n      Sent:     1/1/2010 10:00 AM\n\n"
                "The following recipient(s) cannot be reached:\n\n"
                "      user@example.com on 1/1/2010 10:00 AM\n"
                "            Remote server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; "
                "not found'\n",
         "user@example.com", "5.1.1", 550, ""},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const auto report = parse_bounce(c.message);
        REQUIRE(report);
        CHECK_FALSE(report->rfc3464);
        REQUIRE(report->recipients.size() == 1);
        const RecipientReport& r = report->recipients[0];
        CHECK(r.recipient == c.recipient);
        CHECK(r.status == c.status);
        CHECK(r.reply_code == c.code);
        if (!c.remote.empty()) {
            CHECK(r.remote_mta == c.remote);
        }
        CHECK(r.action == "failed");
    }
}

TEST_CASE("bounce parser: receipts, ARF complaints, auto-replies, non-reports")
{
    const std::string receipt =
        "From: MAILER-DAEMON@mx.example.org\nSubject: Successful Mail Delivery Report\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=R\n\n"
        "--R\nContent-Type: text/plain\n\ndelivered\n--R\n"
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; x@example.com\nAction: delivered\nStatus: 2.0.0\n"
        "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued\n\n--R--\n";
    auto report = parse_bounce(receipt);
    REQUIRE(report);
    CHECK(report->kind == ReportKind::receipt);
    CHECK(report->recipients.at(0).reply_code == 250);

    const std::string arf =
        "From: staff@hotmail.com\nSubject: complaint about message from 192.0.2.25\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=F\n\n"
        "--F\nContent-Type: text/plain\n\nThis is an email abuse report\n--F\n"
        "Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: JMRP/1.0\n"
        "Version: 1\nSource-IP: 192.0.2.25\nOriginal-Rcpt-To: victim@hotmail.com\n"
        "Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT\n\n--F\n"
        "Content-Type: message/rfc822\n\nFrom: s@example.net\nTo: victim@hotmail.com\n"
        "Message-ID: <spam@example.net>\nSubject: buy\n\nbody\n--F--\n";
    report = parse_bounce(arf);
    REQUIRE(report);
    CHECK(report->kind == ReportKind::complaint);
    CHECK(report->feedback_type == "abuse");
    CHECK(report->source_ip == "192.0.2.25");
    CHECK(report->recipients.at(0).recipient == "victim@hotmail.com");
    CHECK(report->original.message_id == "spam@example.net");

    const std::string vacation = "From: friend@example.com\nTo: s@example.net\n"
                                 "Subject: Out of Office: hello\nAuto-Submitted: auto-replied\n\n"
                                 "I am away until Monday.\n";
    report = parse_bounce(vacation);
    REQUIRE(report);
    CHECK(report->kind == ReportKind::autoreply);
    CHECK(report->recipients.at(0).recipient == "friend@example.com");

    CHECK_FALSE(parse_bounce("From: a@example.com\nSubject: lunch?\n\nsee you at noon\n"));
    CHECK_FALSE(parse_bounce(""));
    CHECK_FALSE(parse_bounce("\x01\x02\x03 not a message"));
}
