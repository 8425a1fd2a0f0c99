// The dsn-test verdict only says "safe" when the decisive step was reached, names the one
// thing to change otherwise, and recognises the MTA from its greeting (banners and EHLO
// replies of the real Debian 12 daemons, and Exchange's documented ones).
#include "probe/dsn_advice.hpp"
#include "probe/dsn_test.hpp"
#include "probe/receipt_receiver.hpp"
#include "tests/probe/session_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/support/smtp_dialogue.hpp"

#include <doctest/doctest.h>
#include <thread>

using namespace smtpprobe;
using namespace smtpprobe::probe;
using smtpprobe::test::DialogueSpec;

TEST_CASE("dsn-test: a sender refused at RCPT is inconclusive, NOTIFY unknown, change --from")
{
    // Postfix delays its refusals to RCPT: the sender's domain is refused there.
    DialogueSpec spec;
    spec.ehlo_extensions = "PIPELINING\r\n250-DSN\r\n250 ENHANCEDSTATUSCODES";
    spec.replies = {{"RCPT", "451 4.1.8 <probe@test.example>: Sender address rejected: Domain "
                             "not found\r\n"}};
    test::ScriptedServer server([&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
    ProbeResult r = test::run_probe(server.address(), test::session_options("dsn-test"));
    DsnReport d = evaluate_dsn_test(r);
    CHECK(d.verdict == DsnVerdict::inconclusive);
    CHECK_FALSE(d.notify_accepted.has_value());
    CHECK(d.change == "--from");
    CHECK(d.stage == "mail");
    CHECK(d.advice.find("--from") != std::string::npos);
    CHECK(d.advice.find("--rcpt") == std::string::npos);
}

TEST_CASE("dsn-test: a refused recipient says --rcpt, a refused connection says the host")
{
    DialogueSpec spec;
    spec.ehlo_extensions = "DSN\r\n250 ENHANCEDSTATUSCODES";
    spec.replies = {{"RCPT", "550 5.1.1 <user@test.example>: Recipient address rejected\r\n"}};
    test::ScriptedServer server([&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
    DsnReport d =
        evaluate_dsn_test(test::run_probe(server.address(), test::session_options("dsn-test")));
    CHECK(d.verdict == DsnVerdict::inconclusive);
    CHECK(d.change == "--rcpt");
    CHECK_FALSE(d.notify_accepted.has_value());

    int closed = test::free_tcp_port();
    DsnReport refused = evaluate_dsn_test(
        test::run_probe("127.0.0.1:" + std::to_string(closed), test::session_options("dsn-test")));
    CHECK(refused.verdict == DsnVerdict::inconclusive);
    CHECK(refused.change == "host");
    CHECK_FALSE(refused.completed);
}

TEST_CASE("dsn-test: STARTTLS offered but not used is not 'safe' from the plain EHLO")
{
    DialogueSpec spec;
    spec.ehlo_extensions = "STARTTLS\r\n250 ENHANCEDSTATUSCODES";
    test::ScriptedServer server([&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
    DsnReport d =
        evaluate_dsn_test(test::run_probe(server.address(), test::session_options("dsn-test")));
    CHECK(d.verdict == DsnVerdict::inconclusive);
    CHECK(d.change == "--tls");
}

TEST_CASE("dsn-test: the MTA from banner and EHLO, and each MTA's own remedy")
{
    struct Row {
        const char* banner;
        const char* ehlo;
        std::vector<std::string> extensions;
        const char* mta;
    };
    const Row rows[] = {
        {"mta.sendmail.test ESMTP Sendmail 8.17.1.9/8.17.1.9/Debian-2+deb12u2; Sat, 5 Dec 2026",
         "mta.sendmail.test Hello localhost [127.0.0.1], pleased to meet you",
         {"DSN", "DELIVERBY"},
         "sendmail"},
        {"mta.opensmtpd.test ESMTP OpenSMTPD",
         "mta.opensmtpd.test Hello x.test [127.0.0.1], pleased to meet you",
         {"DSN"},
         "opensmtpd"},
        {"vm ESMTP Exim 4.96 Sat, 05 Dec 2026 08:54:42 +0000",
         "vm Hello x.test [127.0.0.1]",
         {"PIPECONNECT"},
         "exim"},
        {"mx.example.com ESMTP Postfix (Debian/GNU)", "mx.example.com", {"DSN"}, "postfix"},
        {"BN8NAM12FT059.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready",
         "BN8NAM12FT059.mail.protection.outlook.com Hello [192.0.2.1]",
         {},
         "exchange"},
        // Hidden banners: the keywords only one of them offers.
        {"mx ESMTP", "mx Hello", {"DELIVERBY"}, "sendmail"},
        {"mx ESMTP", "mx Hello", {"XEXCH50"}, "exchange"},
        {"mx ESMTP", "mx Hello", {"PIPECONNECT", "PRDR"}, "exim"},
        {"mx ESMTP", "mx", {"DSN", "PIPELINING"}, ""},
    };
    for (const Row& row : rows) {
        CAPTURE(row.banner);
        CHECK(mta_from_greeting(row.banner, row.ehlo, row.extensions.data(),
                                row.extensions.size()) == row.mta);
    }
    CHECK(dsn_remedy("sendmail").find("append `,noreceipts`") != std::string::npos);
    CHECK(dsn_remedy("sendmail").find("`goaway` does not include noreceipts") != std::string::npos);
    CHECK(dsn_remedy("sendmail").find("define(`confPRIVACY_FLAGS', `authwarnings") ==
          std::string::npos); // never a complete value that drops Debian's stock flags
    CHECK(dsn_remedy("opensmtpd").find("no-dsn") != std::string::npos);
    CHECK(dsn_remedy("exim").find("dsn_advertise_hosts") != std::string::npos);
    CHECK(dsn_remedy("postfix").find("smtpd_discard_ehlo_keywords") != std::string::npos);
    std::string generic = dsn_remedy("");
    for (const char* word :
         {"noreceipts", "smtpd_discard_ehlo_keywords", "dsn_advertise_hosts", "no-dsn"}) {
        CHECK(generic.find(word) != std::string::npos);
    }
}

TEST_CASE("receipt receiver: keeps what arrives, bounded, and parses listen addresses")
{
    std::string host;
    int port = 0;
    CHECK(split_listen_address("127.0.0.1:2525", host, port));
    CHECK(host == "127.0.0.1");
    CHECK(port == 2525);
    CHECK(split_listen_address("[::1]:25", host, port));
    CHECK(host == "::1");
    CHECK_FALSE(split_listen_address("127.0.0.1", host, port));
    CHECK_FALSE(split_listen_address("127.0.0.1:99999", host, port));
    CHECK_FALSE(split_listen_address("127.0.0.1:2x", host, port));
    CHECK_THROWS(ReceiptReceiver("not-an-ip", 2525, "r.test"));

    ReceiptReceiver receiver("127.0.0.1", 0, "r.test");
    {
        test::SmtpDialogue smtp(receiver.port());
        CHECK(smtp.banner().code == 220);
        CHECK(smtp.command("EHLO x.test").code == 250);
        CHECK(smtp.command("MAIL FROM:<>").code == 250);
        CHECK(smtp.command("RCPT TO:<probe@receipts.test>").code == 250);
        CHECK(smtp.command("DATA").code == 354);
        CHECK(smtp.command("Subject: hi\r\n\r\n..dot\r\n.").code == 250);
        CHECK(smtp.command("QUIT").code == 221);
    }
    std::vector<ReceiptReceiver::Message> got;
    for (int i = 0; i < 50 && got.empty(); ++i) {
        got = receiver.messages();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0].envelope_from.empty());
    CHECK(got[0].recipients == std::vector<std::string>{"probe@receipts.test"});
    CHECK(got[0].content == "Subject: hi\r\n\r\n.dot\r\n");
}
