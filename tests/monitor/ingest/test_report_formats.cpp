// Reports of each MTA's own layout (tests/data/report-formats, written after each MTA's
// template): the recipients are the failed ones only (not help text, not an X.400 or Exchange
// directory name, never empty), a delay warning is a delay (action "delayed", a 4.x.x status)
// and not a failure, and the reason follows the decision model (docs/bounce-decision-model.md).
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/message_source.hpp"
#include "monitor/ingest/bounce/report_format.hpp"
#include "tests/support/child_process.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe;

namespace {

struct Expected {
    std::string recipient;
    std::string action;
    std::string status; // exact, or "4." / "5." for the class only
    std::string reason;
    std::string named_ip = {};
};

struct Case {
    std::string file;
    std::string format;
    std::vector<Expected> recipients;
};

const std::vector<Case> k_cases = {
    {"exim-delay.eml", "exim", {{"user@example.net", "delayed", "4.7.1", "systemerror"}}},
    {"exim-fail-help.eml", "exim", {{"user@example.net", "failed", "5.1.1", "userunknown"}}},
    {"postfix-delayed.eml", "postfix", {{"user@example.net", "delayed", "4.2.0", "greylisting"}}},
    // "Connection refused by HOST" is an unreachable receiver, never a block (issue 15).
    {"sendmail-warning.eml", "sendmail", {{"user@example.net", "delayed", "4.", "networkerror"}}},
    {"gmail-delayed.eml", "gmail", {{"user@example.net", "delayed", "4.7.0", "blocked"}}},
    {"exchange-delayed.eml", "rfc3464", {{"user@example.com", "delayed", "4.4.7", "expired"}}},
    {"vdelivermail.eml", "qmail", {{"nobody@example.org", "failed", "5.1.1", "userunknown"}}},
    {"netqmail-remote.eml",
     "qmail",
     {{"someone@example.net", "failed", "5.", "userunknown"},
      {"other@example.net", "failed", "5.1.8", "rejected"}}},
    // qmail gave up: its words name only the time (the 4.3.0 code alone names no cause).
    {"qmail-expired.eml", "qmail", {{"someone@example.net", "failed", "4.3.0", "expired"}}},
    {"opensmtpd-error.eml",
     "opensmtpd",
     {{"user@example.net", "failed", "5.7.1", "requireptr", "203.0.113.5"}}},
    // Gmail (gsmtp) refusing the client at MAIL FROM for now: a (temporary) IP block.
    {"dragonfly-expired.eml", "dragonfly", {{"user@example.net", "failed", "4.7.0", "blocked"}}},
    {"imail.eml", "imail", {{"nobody@example.jp", "failed", "5.0.911", "userunknown"}}},
    {"notes.eml", "notes", {{"nobody@example.jp", "failed", "5.0.911", "userunknown"}}},
    {"exchange2003-x400.eml",
     "exchange2003",
     {{"user.name@example.com", "failed", "5.1.1", "userunknown"}}},
    {"imcea.eml", "exchange2007", {{"john.doe@example.com", "failed", "5.1.1", "userunknown"}}},
};

} // namespace

TEST_CASE("report formats: recipients, delay or failure, status and reason of each layout")
{
    const std::string dir = std::string(SMTPPROBE_SOURCE_DIR) + "/tests/data/report-formats/";
    for (const Case& c : k_cases) {
        CAPTURE(c.file);
        const std::string text = test::read_file(dir + c.file);
        REQUIRE_FALSE(text.empty());
        const auto report = ingest::parse_bounce(text);
        REQUIRE(report);
        CHECK(ingest::format_name(report->format) == c.format);
        REQUIRE(report->recipients.size() == c.recipients.size());
        for (std::size_t i = 0; i < c.recipients.size(); ++i) {
            const Expected& want = c.recipients[i];
            const ingest::RecipientReport& r = report->recipients[i];
            const ingest::ClassifiedRecipient got =
                ingest::classify_recipient(*report, r, classify::Classifier::builtin());
            CAPTURE(r.diagnostic);
            CHECK(r.recipient == want.recipient);
            CHECK(r.action == want.action);
            if (want.status.size() == 2) {
                CHECK(got.status.starts_with(want.status));
            } else {
                CHECK(got.status == want.status);
            }
            CHECK(got.result.reason == want.reason);
            // The receiver's own address (after its host name) is never the named IP.
            CHECK(got.named_ip == want.named_ip);
        }
    }
}

TEST_CASE("report formats: the real MTAs' bounces (tests/data/mta-bounces) read as blocks")
{
    const std::string dir = std::string(SMTPPROBE_SOURCE_DIR) + "/tests/data/mta-bounces/";
    for (const char* file :
         {"sendmail-8.17.1.9.mbox", "exim-4.96.mbox", "opensmtpd-6.8.0p2.mbox"}) {
        CAPTURE(file);
        std::vector<std::string> seen;
        int messages = 0;
        ingest::read_messages(dir + file, [&](ingest::SourceMessage& message) {
            ++messages;
            const auto report = ingest::parse_bounce(message.content);
            if (!report) {
                return true; // the local message the test also delivered is no report
            }
            for (const ingest::RecipientReport& r : report->recipients) {
                const ingest::ClassifiedRecipient c =
                    ingest::classify_recipient(*report, r, classify::Classifier::builtin());
                CHECK(r.action == "failed");
                CHECK(c.result.reason == "blocked");
                CHECK(c.named_ip == "127.0.0.1");
                seen.push_back(r.recipient + " " + c.status);
            }
            return true;
        });
        CHECK(messages == 3);
        CHECK(seen ==
              std::vector<std::string>{"s3140@outlook.test 5.7.1", "ms606@outlook.test 5.7.606"});
    }
}
