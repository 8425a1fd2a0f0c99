// Proves the Postfix test support works against real Postfix: instances start on free ports,
// answer EHLO as configured, honour access maps (also after a change), relay from a sending
// instance to a receiving one with the expected log lines, run side by side, and that
// smtp-sink/smtp-source run. Skips (with a message) when not root: Postfix needs root.
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"
#include "tests/support/smtp_dialogue.hpp"

#include <doctest/doctest.h>
#include <thread>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

const std::string k_s3140 =
    "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please contact your "
    "Internet service provider since part of their network is on our block list (S3140). You "
    "can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";

#define SKIP_UNLESS_ROOT()                                                                         \
    if (!is_root()) {                                                                              \
        SMTPPROBE_SKIP("starting Postfix needs root");                                             \
    }

SmtpReply ehlo(PostfixInstance& instance)
{
    SmtpDialogue dialogue(instance.port());
    REQUIRE(dialogue.banner().code == 220);
    return dialogue.command("EHLO client.test");
}

} // namespace

TEST_CASE("postfix instance starts on a free port and answers EHLO with DSN")
{
    SKIP_UNLESS_ROOT();
    PostfixInstance instance;
    instance.start();
    CHECK(instance.port() > 0);
    CHECK(instance.port() != 25);
    SmtpDialogue dialogue(instance.port());
    CHECK(dialogue.banner().text.find(instance.hostname()) != std::string::npos);
    const SmtpReply reply = dialogue.command("EHLO client.test");
    CHECK(reply.code == 250);
    CHECK(reply.text.find("\n250-DSN") != std::string::npos);
    CHECK(instance.wait_for_log("daemon started", 10s));
    CHECK(instance.log_path().rfind(instance.root_dir(), 0) == 0);
}

TEST_CASE("postfix instance honours smtpd_discard_ehlo_keywords = dsn")
{
    SKIP_UNLESS_ROOT();
    PostfixConfig config;
    config.discard_ehlo_keywords = "dsn";
    PostfixInstance instance(config);
    instance.start();
    const SmtpReply reply = ehlo(instance);
    CHECK(reply.code == 250);
    CHECK(reply.text.find("DSN") == std::string::npos);
    CHECK(reply.text.find("PIPELINING") != std::string::npos);
}

TEST_CASE("postfix instance access map answers RCPT with its text, and can be changed")
{
    SKIP_UNLESS_ROOT();
    PostfixConfig config;
    config.client_access = "127.0.0.1 " + k_s3140;
    PostfixInstance instance(config);
    instance.start();
    {
        SmtpDialogue dialogue(instance.port());
        CHECK(dialogue.command("EHLO client.test").code == 250);
        CHECK(dialogue.command("MAIL FROM:<a@client.test>").code == 250);
        const SmtpReply reply = dialogue.command("RCPT TO:<b@" + instance.domain() + ">");
        CHECK(reply.code == 550);
        // smtpd puts its "<client>: Client host rejected: " in front of the map's text.
        // (The client name is localhost or unknown, depending on the machine's /etc/hosts.)
        CHECK(reply.text.rfind("550 5.7.1 <", 0) == 0);
        CHECK(reply.text.find("[127.0.0.1]>: Client host rejected: ") != std::string::npos);
        CHECK(reply.text.find(k_s3140.substr(10)) != std::string::npos);
        dialogue.command("QUIT");
    }
    instance.set_access_map(AccessMap::client, "");
    instance.set_access_map(AccessMap::recipient,
                            "blocked@" + instance.domain() + " 450 4.2.1 mailbox busy, try later");
    SmtpDialogue dialogue(instance.port());
    CHECK(dialogue.command("EHLO client.test").code == 250);
    CHECK(dialogue.command("MAIL FROM:<a@client.test>").code == 250);
    CHECK(dialogue.command("RCPT TO:<b@" + instance.domain() + ">").code == 250);
    const SmtpReply busy = dialogue.command("RCPT TO:<blocked@" + instance.domain() + ">");
    CHECK(busy.code == 450);
    CHECK(busy.text.find("Recipient address rejected: mailbox busy, try later") !=
          std::string::npos);
}

TEST_CASE("sending instance relays to a receiving instance: bounced, then sent after a change")
{
    SKIP_UNLESS_ROOT();
    PostfixConfig receiver_config;
    receiver_config.client_access = "127.0.0.1 " + k_s3140;
    PostfixInstance receiver(receiver_config);
    receiver.start();
    PostfixConfig sender_config;
    sender_config.relay_port = receiver.port();
    PostfixInstance sender(sender_config);
    sender.start();
    CHECK(sender.port() != receiver.port());
    CHECK(sender.hostname() != receiver.hostname());

    const std::string from = "probe@" + sender.domain();
    const std::string to = "mailbox@" + receiver.domain();
    sender.send_mail(from, to, "first attempt");
    const std::string bounced = "status=bounced (host 127.0.0.1[127.0.0.1] said: " + k_s3140 +
                                " (in reply to RCPT TO command))";
    CHECK(sender.wait_for_log(bounced, 60s));
    // The sender's own non-delivery report lands in its Maildir and quotes the reply.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (sender.delivered_messages().empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE(sender.delivered_messages().size() == 1);
    CHECK(sender.delivered_messages()[0].find("(S3140)") != std::string::npos);

    receiver.set_access_map(AccessMap::client, "");
    sender.send_mail(from, to, "second attempt");
    CHECK(sender.wait_for_log("status=sent (250 2.0.0 Ok: queued as", 60s));
    CHECK(receiver.wait_for_log("status=sent (delivered to maildir)", 30s));
    const auto messages = receiver.delivered_messages();
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].find("second attempt") != std::string::npos);
    CHECK(sender.queue_listing().find("Mail queue is empty") != std::string::npos);
}

TEST_CASE("two postfix instances run at once, each with its own port, dirs and log")
{
    SKIP_UNLESS_ROOT();
    PostfixInstance first;
    PostfixInstance second;
    first.start();
    second.start();
    CHECK(first.port() != second.port());
    CHECK(first.root_dir() != second.root_dir());
    CHECK(ehlo(first).text.find(first.hostname()) != std::string::npos);
    CHECK(ehlo(second).text.find(second.hostname()) != std::string::npos);
    CHECK(first.log_text().find(second.hostname()) == std::string::npos);
    first.stop();
    CHECK_FALSE(first.running());
    CHECK(ehlo(second).code == 250); // stopping one leaves the other alone
}

TEST_CASE("postfix instance offers STARTTLS with a self-signed certificate")
{
    SKIP_UNLESS_ROOT();
    TempDir dir;
    PostfixConfig config;
    config.tls = make_self_signed_cert(dir.path(), "mx.tls.test");
    PostfixInstance instance(config);
    instance.start();
    CHECK(ehlo(instance).text.find("STARTTLS") != std::string::npos);
    SmtpDialogue dialogue(instance.port());
    dialogue.command("EHLO client.test");
    CHECK(dialogue.command("STARTTLS").code == 220);
}

TEST_CASE("smtp-source delivers messages to smtp-sink on a free port")
{
    SmtpSink sink;
    SmtpSourceOptions options;
    options.messages = 20;
    options.sessions = 2;
    const RunResult result = run_smtp_source(sink.port(), options);
    CHECK(result.exit_code == 0);
    CHECK_FALSE(result.timed_out);
    SmtpDialogue dialogue(sink.port());
    CHECK(dialogue.banner().code == 220);
}
