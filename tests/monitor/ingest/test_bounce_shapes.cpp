// Report shapes the corpus showed and the parser now reads: sendmail session transcripts (the
// command per recipient, one recipient's verdict not bleeding into the next), reasons written
// before the address, an mbox whose From_ line follows the previous message directly, a
// multipart whose declared boundary never occurs, and Sisimai's command convention applied
// to the classified reason (user unknown without RCPT = filtered, after MAIL = rejected).
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_decision.hpp"
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/bounce/reply_codes.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe;
using namespace smtpprobe::ingest;

namespace {

std::string bounce_with_text(const std::string& text)
{
    return "From: MAILER-DAEMON@mx.example.org\n"
           "To: sender@example.net\n"
           "Subject: Returned mail: see transcript for details\n"
           "Message-ID: <b-1@mx.example.org>\n"
           "\n" +
           text;
}

const RecipientReport* find(const BounceReport& report, const std::string& who)
{
    for (const RecipientReport& r : report.recipients) {
        if (r.recipient == who) {
            return &r;
        }
    }
    return nullptr;
}

} // namespace

TEST_CASE("bounce shapes: the command a sendmail transcript shows for a recipient")
{
    struct Case {
        const char* text;
        const char* recipient;
        const char* command;
    };
    const std::vector<Case> cases = {
        {">>> RCPT To:<a@example.org>\n<<< 550 <a@example.org>, User Unknown\n", "a@example.org",
         "RCPT"},
        {">>> DATA\n<<< 554 delivery error: no account a@example.org\n", "a@example.org", "DATA"},
        {">>> MAIL From:<s@example.net>\n<<< 501 <s@example.net>... no access\n", "a@example.org",
         ""},
        {">>> RCPT To:<b@example.org>\n<<< 550 unknown b@example.org\n", "a@example.org", ""},
        {"no transcript here\n", "a@example.org", ""},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        CHECK(find_transcript_command(c.text, c.recipient) == c.command);
    }
    CHECK(find_smtp_command("550 5.2.1 <a@b.example>... User Unknown [RCPT_TO]") == "RCPT");
    CHECK(find_smtp_command("550 <a@b.example>: Recipient address rejected: Media error") ==
          "RCPT");
}

TEST_CASE("bounce shapes: sendmail verdicts stay with their recipient and take the reply above")
{
    const std::string message = bounce_with_text(
        "   ----- Transcript of session follows -----\n"
        "While talking to mailin1.example.org:\n"
        ">>> MAIL From:<sender@example.net>\n"
        "<<< 501 <sender@example.net>... no access from mail server [192.0.2.55]\n"
        "554 <first@example.org>... Remote protocol error\n"
        "550 example.org (smtp)... 550 Host unknown\n"
        "554 <second@example.org>... 550 Host unknown (Authoritative answer from name server)\n");
    const std::optional<BounceReport> report = parse_bounce(message);
    REQUIRE(report);
    const RecipientReport* first = find(*report, "first@example.org");
    const RecipientReport* second = find(*report, "second@example.org");
    REQUIRE(first != nullptr);
    REQUIRE(second != nullptr);
    CHECK(first->diagnostic.find("no access from mail server") != std::string::npos);
    CHECK(first->diagnostic.find("Host unknown") == std::string::npos);
    CHECK(second->diagnostic.find("Host unknown") != std::string::npos);
    const ClassifiedRecipient c =
        classify_recipient(*report, *first, classify::Classifier::builtin());
    CHECK(c.result.reason == "blocked");
}

TEST_CASE("bounce shapes: a reason written before the address")
{
    struct Case {
        const char* text;
        const char* words;
    };
    const std::vector<Case> cases = {
        {"Unknown user: user@example.com\n\n\nOriginal message follows.\n", "Unknown user"},
        {"------- Failure Reasons  --------\n\nUser  not listed in public Name & Address Book\n"
         "user@example.com\n\n\n------- Returned Message --------\n",
         "not listed in public Name"},
        {"Your message was not delivered within 0 days and 1 hours.\nRemote host is not "
         "responding.\n\nThe following recipients did not receive this message:\n\n"
         "<user@example.com>\n\n",
         "not delivered within"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const std::optional<BounceReport> report = parse_bounce(bounce_with_text(c.text));
        REQUIRE(report);
        const RecipientReport* r = find(*report, "user@example.com");
        REQUIRE(r != nullptr);
        CHECK(r->diagnostic.find(c.words) != std::string::npos);
    }
}

TEST_CASE("bounce shapes: mbox From_ line without a blank line before it")
{
    const std::string mbox = "From MAILER-DAEMON  Thu Jul  2 12:05:05 2020\n"
                             "Subject: one\n\nbody\nFrom here on the body says From.\n--b--\n"
                             "From double-bounce@example.org  Thu Jul  2 12:05:05 2020\n"
                             "Subject: two\n\nbody\n";
    std::vector<std::string> messages;
    split_mbox(mbox, [&](std::string&& m) {
        messages.push_back(std::move(m));
        return true;
    });
    REQUIRE(messages.size() == 2);
    CHECK(messages[0].find("From here on the body") != std::string::npos);
    CHECK(messages[1].starts_with("Subject: two"));
}

TEST_CASE("bounce shapes: a multipart whose declared boundary never occurs")
{
    const std::string message = "From: MAILER-DAEMON@mx.example.org\n"
                                "To: sender@example.net\n"
                                "Subject: Undelivered Mail Returned to Sender\n"
                                "MIME-Version: 1.0\n"
                                "Content-Type: multipart/report; report-type=delivery-status;\n"
                                "\tboundary=\"AB12.34/xxx.example.net\"\n"
                                "\n"
                                "This is a MIME-encapsulated message.\n\n"
                                "--AB12.34/xxxx.example.net\n"
                                "Content-Type: message/delivery-status\n\n"
                                "Reporting-MTA: dns; mx.example.org\n\n"
                                "Final-Recipient: rfc822; user@wanadoo.fr\n"
                                "Action: failed\n"
                                "Status: 4.0.0\n"
                                "Diagnostic-Code: smtp; 421 Service refuse. Service refused, "
                                "please try later.\n\n"
                                "--AB12.34/xxxx.example.net--\n";
    const std::optional<BounceReport> report = parse_bounce(message);
    REQUIRE(report);
    REQUIRE(report->recipients.size() == 1);
    CHECK(report->recipients[0].recipient == "user@wanadoo.fr");
    CHECK(report->recipients[0].status == "4.0.0");
    CHECK(report->recipients[0].reply_code == 421);
}

TEST_CASE("bounce shapes: the command decides user unknown, filtered or rejected")
{
    struct Case {
        const char* diagnostic;
        const char* status;
        const char* command;
        const char* reason;
        const char* pseudo_status;
    };
    const std::vector<Case> cases = {
        {"550 <user@example.org>: User unknown", "", "RCPT", "userunknown", "5.0.911"},
        {"550 <user@example.org>: User unknown", "", "DATA", "filtered", "5.0.910"},
        {"550 5.1.1 <user@example.org>: User unknown", "5.1.1", "DATA", "userunknown", "5.1.1"},
        {"553 5.1.0 sender unknown user", "5.1.0", "MAIL", "rejected", "5.1.0"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.diagnostic);
        CAPTURE(c.command);
        BounceReport report;
        report.kind = ReportKind::bounce;
        RecipientReport r;
        r.recipient = "user@example.org";
        r.action = "failed";
        r.diagnostic = c.diagnostic;
        r.status = c.status;
        r.command = c.command;
        r.reply_code = find_reply_code(c.diagnostic);
        const ClassifiedRecipient got =
            classify_recipient(report, r, classify::Classifier::builtin());
        CHECK(got.result.reason == c.reason);
        CHECK(got.status == c.pseudo_status);
    }
    // A delay notice quoting no 4xx code keeps its temporary nature in the pseudo status: the
    // report's words made its entries "delayed" (implied_action).
    BounceReport report;
    report.kind = ReportKind::delay;
    report.delay_notice = true;
    RecipientReport r;
    r.recipient = "user@example.org";
    r.action = std::string(implied_action(report));
    r.diagnostic = "Message will be retried for 2 more day(s). Technical details of temporary "
                   "failure: The recipient server did not accept our requests to connect.";
    const ClassifiedRecipient got = classify_recipient(report, r, classify::Classifier::builtin());
    CHECK(got.status.starts_with("4.0."));
}
