// The hand-written scanners: status codes, reply codes, named IPs, normalization.
#include "monitor/classify/reply_facts.hpp"

#include <cstdint>
#include <doctest/doctest.h>
#include <string>
#include <string_view>
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

    // "name[ip]" gives a host's own address (the receiver in a report), never the sender.
    const std::string_view postfix_report =
        "host eur.olc.protection.outlook.com[104.47.1.33] said: 550 5.7.1 unfortunately, "
        "messages from [203.0.113.9] weren't sent";
    CHECK(find_named_ip(postfix_report, true) == "203.0.113.9");
    CHECK(find_host_address(postfix_report) == "104.47.1.33");
    const std::string_view gmail = "host gmail-smtp-in.l.google.com[74.125.203.27] said: 550-5.7.1 "
                                   "our system has detected an unusual rate";
    CHECK(find_named_ip(gmail, true).empty());
    CHECK(find_host_address(gmail) == "74.125.203.27");
    CHECK(find_named_ip("client host [198.51.100.4] blocked using zen.spamhaus.org", false) ==
          "198.51.100.4");
    CHECK(find_host_address("client host [198.51.100.4] blocked").empty());
}

TEST_CASE("reply facts: the server a report quotes, by each MTA's notation")
{
    // Postfix "host NAME[IP] said:", Exim "host NAME [IP]:", DragonFly "NAME [IP] did not
    // like our ...": the replying server. A list's or a URL's host, and "client host [IP]"
    // (the client the receiver refused), are not.
    CHECK(find_host_name("host mx1.example.net[192.0.2.25] said: 550 5.7.1 no") ==
          "mx1.example.net");
    CHECK(find_host_name("SMTP error from remote mail server after RCPT TO:<a@b.example>: "
                         "host mx-2.example.org [198.51.100.7]: 550 no such user") ==
          "mx-2.example.org");
    CHECK(find_host_name("smtp.mail.example.jp [203.0.113.4] did not like our RCPT TO: 550 "
                         "5.7.26 authentication checks failed") == "smtp.mail.example.jp");
    CHECK(find_host_name("554 client host [198.51.100.4] blocked using zen.spamhaus.org").empty());
    CHECK(find_host_name("see https://www.example.com/[192.0.2.1] for details").empty());
    CHECK(find_host_name("550 5.7.1 messages from [192.0.2.9] weren't sent").empty());
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

TEST_CASE("reply facts: negations and e-mail in one spelling, whatever the receiver wrote")
{
    std::string text;
    normalize_text("This user doesn't have an account", text);
    CHECK(text == "this user does not have an account");
    normalize_text("We CAN'T relay, we won\xe2\x80\x99t and we can not", text);
    CHECK(text == "we cannot relay, we will not and we cannot");
    normalize_text("The E-mail address isn't valid", text);
    CHECK(text == "the email address is not valid");
    // Not a negation: a possessive, a quote, "cannot" already, "can notify".
    normalize_text("the recipient's 'n' mailbox cannot; we can notify", text);
    CHECK(text == "the recipient's 'n' mailbox cannot; we can notify");
}

// normalize_text's word-at-a-time paths (16 and 8 bytes) against the byte-by-byte definition,
// on texts whose white space, capitals and Latin-1 bytes fall at every offset of a chunk.
TEST_CASE("reply facts: normalization equals its byte-by-byte definition")
{
    auto reference = [](std::string_view text) {
        std::string out;
        for (const char raw : text.substr(0, k_max_text)) {
            const bool space = raw == ' ' || raw == '\t' || raw == '\r' || raw == '\n';
            if (space) {
                if (!out.empty() && out.back() != ' ') {
                    out.push_back(' ');
                }
                continue;
            }
            out.push_back(raw >= 'A' && raw <= 'Z' ? static_cast<char>(raw + 32) : raw);
        }
        if (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        return out;
    };
    const std::string alphabet = std::string("aZ5. \t\r\n-@[") + '\x01' + '\x0e' + '\xc0' + '\xff';
    std::uint32_t state = 12345;
    std::string text;
    for (int round = 0; round < 3000; ++round) {
        state = state * 1664525 + 1013904223;
        const std::size_t size = state % 70;
        std::string input;
        for (std::size_t i = 0; i < size; ++i) {
            state = state * 1664525 + 1013904223;
            // Mostly plain letters, so that whole chunks take the fast paths.
            input.push_back(state % 4 != 0 ? static_cast<char>('a' + (state >> 8) % 26)
                                           : alphabet[(state >> 8) % alphabet.size()]);
        }
        normalize_text(input, text);
        REQUIRE(text == reference(input));
    }
}
