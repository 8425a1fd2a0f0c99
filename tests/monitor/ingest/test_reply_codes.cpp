// Reply code, enhanced status, SMTP command and named IP scanners over receiver prose.
#include "monitor/ingest/bounce/reply_codes.hpp"

#include <doctest/doctest.h>
#include <vector>

using namespace smtpprobe::ingest;

TEST_CASE("reply codes: the receiver's code, never parts of IPs or dates")
{
    struct Case {
        const char* text;
        int code; // 0 = none
    };
    const std::vector<Case> cases = {
        {"550 5.1.1 <a@b>: User unknown", 550},
        {"remote host 192.0.2.32 said: 550 Unknown user", 550},
        {"host mx.example.jp [192.0.2.20]: 554 5.7.0 rejected", 554},
        {"Remote server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound'", 550},
        {"550-5.7.1 [192.0.2.1] blocked", 550},
        {"Thu, 29 Apr 2010 23:34:45 +0900", 0},
        {"2010-04-29 delivery failed", 0},
        {"connect to 192.0.2.250[192.0.2.250]:25: Connection refused", 0},
        {"550: <a@b>: User unknown", 550},
        {"", 0},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const auto code = find_reply_code(c.text);
        CHECK(code.value_or(0) == c.code);
    }
}

TEST_CASE("reply codes: enhanced status codes anywhere, not IPs or versions")
{
    CHECK(find_enhanced_status("550 5.7.1 blocked") == "5.7.1");
    CHECK(find_enhanced_status("(#5.5.0)") == "5.5.0");
    CHECK(find_enhanced_status("dsn=5.7.606, stat=User unknown") == "5.7.606");
    CHECK(find_enhanced_status("host 5.1.1.1 refused") == "");
    CHECK(find_enhanced_status("version v2.0.0 ok") == "");
    CHECK(find_enhanced_status("done 4.4.7.") == "4.4.7");
    CHECK(is_enhanced_status("5.7.606"));
    CHECK_FALSE(is_enhanced_status("5.7"));
    CHECK_FALSE(is_enhanced_status("6.1.1"));
}

TEST_CASE("reply codes: last failure pair wins (the reply that ended the transaction)")
{
    auto pair = find_last_reply_pair("554 4.4.7 Message expired.<421 4.4.2 Connection timed out>");
    REQUIRE(pair);
    CHECK(pair->code == 421);
    CHECK(pair->status == "4.4.2");
    pair = find_last_reply_pair("5.1.0 - Unknown address error 550-'5.2.2 <a@b>... Mailbox Full'");
    REQUIRE(pair);
    CHECK(pair->code == 550);
    CHECK(pair->status == "5.2.2");
    CHECK_FALSE(find_last_reply_pair("550 User unknown"));
}

TEST_CASE("reply codes: SMTP command named by the report")
{
    CHECK(find_smtp_command("550 5.1.1 unknown (in reply to RCPT TO command)") == "RCPT");
    CHECK(find_smtp_command("550 User unknown (in reply to end of DATA command)") == "DATA");
    CHECK(find_smtp_command("SMTP error from remote mail server after end of data: 550") == "DATA");
    CHECK(find_smtp_command("SMTP error from remote mail server after MAIL FROM:<a@b>:") == "MAIL");
    CHECK(find_smtp_command("after initial connection: 554 go away") == "CONNECT");
    CHECK(find_smtp_command(">>> DATA\n<<< 550 Unknown user") == "DATA");
    CHECK(find_smtp_command("most progress was RCPT TO response; remote host said") == "RCPT");
    CHECK(find_smtp_command("550 rejected") == "");
}

TEST_CASE("reply codes: the IP the receiver names")
{
    CHECK(find_named_ip("messages from [192.0.2.25] weren't sent (S3140)") == "192.0.2.25");
    CHECK(find_named_ip("Messages from 192.0.2.25 temporarily deferred") == "192.0.2.25");
    CHECK(find_named_ip("client [198.51.100.7] blocked using zen.spamhaus.org") == "198.51.100.7");
    CHECK(find_named_ip("550 5.1.1 user unknown") == "");
    CHECK(find_named_ip("from 999.1.1.1") == "");
}
