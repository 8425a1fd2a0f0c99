// The hand-written scanners: status codes, reply codes, named IPs, normalization.
#include "monitor/classify/reply_facts.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace smtpprobe::classify;

TEST_CASE("reply facts: enhanced status codes are found, IPs and versions are not")
{
    struct Row {
        std::string text;
        std::string status; // "" = none
    };
    const std::vector<Row> rows = {
        {"550 5.7.606 Access denied", "5.7.606"},
        {"dsn=5.7.606, stat=User unknown", "5.7.606"},
        {"smtp; 5.1.0 - Unknown address error 550-'5.2.2 <a@b>... Mailbox Full'", "5.2.2"},
        {"554 5.0.0 x 4.4.2 y", "4.4.2"},
        {"450 4.0.0 Temporary failure", "4.0.0"},
        {"connect to 192.5.7.1 failed", ""},
        {"relay 10.5.1.1.2", ""},
        {"version 5.1.1.4 of the software", ""},
        {"User unknown (5.1.1).", "5.1.1"},
        {"#5.1.0 Address rejected", "5.1.0"},
        {"5.7.1000", ""},
        {"", ""},
    };
    for (const Row& row : rows) {
        INFO("text: " << row.text);
        const auto status = find_status(row.text);
        CHECK((status ? format_status(*status) : std::string()) == row.status);
    }
    CHECK(parse_status(" 4.7.650 ").value() == 4'007'650);
    CHECK_FALSE(parse_status("3.1.1"));
    CHECK_FALSE(parse_status("5.7"));
    CHECK_FALSE(parse_status("5.7.1x"));
}

TEST_CASE("reply facts: reply codes and named IPs")
{
    CHECK(find_reply_code("550 5.7.1 x").value() == 550);
    CHECK(find_reply_code("smtp; 421-4.7.28 x").value() == 421);
    CHECK(find_reply_code("  SMTP;550 Unknown").value() == 550);
    CHECK(find_reply_code("Host said: 554 5.7.1 go away").value() == 554);
    CHECK_FALSE(find_reply_code("in 840 minutes"));
    CHECK_FALSE(find_reply_code("port 25000 closed"));

    CHECK(find_named_ip("messages from [203.0.113.9] weren't sent", false) == "203.0.113.9");
    CHECK(find_named_ip("[IPv6:2001:db8::1] is blocked", false) == "2001:db8::1");
    CHECK(find_named_ip("[2401:2500:102:3032:192.0.2.222 13]", false).empty());
    CHECK(find_named_ip("messages from 203.0.113.9 temporarily deferred", false).empty());
    CHECK(find_named_ip("messages from 203.0.113.9 temporarily deferred", true) == "203.0.113.9");
    CHECK(find_named_ip("[999.1.1.1] x 1.2.3.4.5", true).empty());
}

TEST_CASE("reply facts: normalization, continuation prefixes and the SMTP command")
{
    std::string text;
    normalize_text("  550-5.7.26 The MAIL FROM\r\n\t550-5.7.26 domain  HAS \n", text);
    CHECK(text == "550-5.7.26 the mail from 550-5.7.26 domain has");
    strip_continuation_prefixes(text, 550);
    CHECK(text == "550-5.7.26 the mail from domain has");

    normalize_text(std::string(10000, 'A'), text);
    CHECK(text.size() == k_max_text);

    CHECK(find_command("550 user unknown (in reply to end of data command)") == "DATA");
    CHECK(find_command("... >>> rcpt to:<a@b> <<< 550 5.1.1 no") == "RCPT");
    CHECK(find_command("550 user unknown").empty());
    CHECK(normalize_host("dns; MX.Example.ORG.") == "mx.example.org");
}
