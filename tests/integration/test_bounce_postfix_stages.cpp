// Real Postfix bounces at every SMTP stage: a real Postfix sends one message per case to a
// scripted receiver on loopback (one per case, chosen by transport_maps) that refuses at the
// banner, at HELO/EHLO, at MAIL, at RCPT or after the data, with a receiver's real wording;
// Postfix writes its non-delivery report (its own template and delivery-status part) to the
// sender's Maildir, and the bounce parser and decision model must read the stage, the status
// and the reason the model gives (docs/bounce-decision-model.md, "How the SMTP stage changes the
// reason"). A 4xx refusal with maximal_queue_lifetime = 0 comes back as a failure with a
// temporary status. SMTPPROBE_WRITE_BOUNCES=DIR keeps each report as DIR/postfix-<case>.eml
// (tests/data/postfix-bounces was written so). Skips (with a message) when not root.
#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_parser.hpp"
#include "monitor/ingest/bounce/report_format.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/scripted_server.hpp"
#include "tests/support/skip.hpp"

#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace smtpprobe;
using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

struct StageCase {
    std::string name;    // also the recipient domain's first label
    std::string stage;   // banner | EHLO | MAIL | RCPT | DATA: where the receiver refuses
    std::string reply;   // the receiver's reply (one or more lines, without the last CRLF)
    std::string command; // what the report must say it answered
    std::string status;
    std::string reason;
    std::string action = "failed";
};

const std::vector<StageCase> k_cases = {
    {"banner", "banner",
     "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; "
     "https://www.spamhaus.org/query/ip/127.0.0.1",
     "CONNECT", "5.7.1", "blocked"},
    // Postfix reports a refused EHLO/HELO as "refused to talk to me", as it does the banner.
    {"helo", "EHLO", "550 5.7.1 <localhost>: Helo command rejected: Host not found", "CONNECT",
     "5.7.1", "blocked"},
    {"mail", "MAIL", "553 5.1.8 <probe@sender.test>: Sender address rejected: Domain not found",
     "MAIL", "5.1.8", "rejected"},
    {"unknown", "RCPT",
     "550 5.1.1 <mailbox@unknown.test>: Recipient address rejected: User unknown in virtual "
     "mailbox table",
     "RCPT", "5.1.1", "userunknown"},
    {"full", "RCPT", "552 5.2.2 <mailbox@full.test>: Recipient address rejected: Mailbox full",
     "RCPT", "5.2.2", "mailboxfull"},
    {"dynamic", "RCPT",
     "550-5.7.1 [127.0.0.1] The IP you're using to send mail is not authorized to send\r\n"
     "550-5.7.1 email directly to our servers. Please use the SMTP relay at your service\r\n"
     "550-5.7.1 provider instead. For more information, go to\r\n"
     "550 5.7.1 https://support.google.com/mail/?p=NotAuthorizedError x1si2 - gsmtp",
     "RCPT", "5.7.1", "blocked"},
    {"spam", "DATA", "550 5.7.1 Message rejected as spam by Content Filtering", "DATA", "5.7.1",
     "spamdetected"},
    {"filter", "DATA", "554 5.7.1 <mailbox@filter.test>: User unknown", "DATA", "5.7.1",
     "filtered"},
    {"greylist", "RCPT",
     "450 4.2.0 <mailbox@greylist.test>: Recipient address rejected: Greylisted, see "
     "http://postgrey.schweikert.ch/help/greylist.test.html",
     "RCPT", "4.2.0", "greylisting"},
};

std::string upper4(const std::string& line)
{
    std::string out = line.substr(0, 4);
    for (char& c : out) {
        c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    }
    return out;
}

// One receiver: a plain SMTP dialogue that refuses at the case's stage.
void serve(ServerConnection& c, const StageCase& kase)
{
    auto say = [&](const std::string& reply) { return c.send(reply + "\r\n"); };
    if (kase.stage == "banner") {
        say(kase.reply);
        (void)c.read_line(5000); // Postfix sends QUIT
        say("221 2.0.0 Bye");
        return;
    }
    say("220 mx." + kase.name + ".test ESMTP scripted");
    while (const auto line = c.read_line(10000)) {
        const std::string verb = upper4(*line);
        if (verb == "EHLO" || verb == "HELO") {
            say(kase.stage == "EHLO" ? kase.reply
                                     : "250-mx." + kase.name + ".test\r\n250 8BITMIME");
        } else if (verb == "MAIL") {
            say(kase.stage == "MAIL" ? kase.reply : "250 2.1.0 Ok");
        } else if (verb == "RCPT") {
            say(kase.stage == "RCPT" ? kase.reply : "250 2.1.5 Ok");
        } else if (verb == "DATA") {
            say("354 End data with <CR><LF>.<CR><LF>");
            while (const auto body = c.read_line(10000)) {
                if (*body == ".") {
                    break;
                }
            }
            say(kase.stage == "DATA" ? kase.reply : "250 2.0.0 Ok: queued");
        } else if (verb == "QUIT") {
            say("221 2.0.0 Bye");
            return;
        } else if (verb == "RSET" || verb == "NOOP") {
            say("250 2.0.0 Ok");
        } else {
            say("502 5.5.2 Error: command not recognized");
        }
    }
}

} // namespace

TEST_CASE("bounces written by a real Postfix read the stage, status and reason of each refusal")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("starting Postfix needs root");
    }
    std::vector<std::unique_ptr<ScriptedServer>> receivers;
    std::string transports;
    for (const StageCase& kase : k_cases) {
        receivers.push_back(
            std::make_unique<ScriptedServer>([&kase](ServerConnection& c) { serve(c, kase); }));
        transports += (transports.empty() ? "" : ", ") + kase.name +
                      ".test=smtp:[127.0.0.1]:" + std::to_string(receivers.back()->port());
    }
    PostfixConfig config;
    config.strip_reject_prefix = false; // the receivers' replies as they wrote them
    config.main_cf = {"transport_maps = inline:{ " + transports + " }",
                      "smtp_connection_cache_on_demand = no",
                      "maximal_queue_lifetime = 0",
                      "bounce_queue_lifetime = 0",
                      "smtp_tls_security_level = none",
                      "smtp_helo_timeout = 10s",
                      "smtp_data_done_timeout = 10s"};
    PostfixInstance sender(config);
    sender.start();
    const std::string from = "probe@" + sender.domain();
    for (const StageCase& kase : k_cases) {
        sender.send_mail(from, "mailbox@" + kase.name + ".test", "case " + kase.name,
                         "stage " + kase.name);
    }
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    while (sender.delivered_messages().size() < k_cases.size() &&
           std::chrono::steady_clock::now() < deadline) {
        sender.flush();
        std::this_thread::sleep_for(500ms);
    }
    const std::vector<std::string> bounces = sender.delivered_messages();
    INFO(sender.log_text().substr(0, 4000));
    REQUIRE(bounces.size() == k_cases.size());

    const char* keep = std::getenv("SMTPPROBE_WRITE_BOUNCES");
    int matched = 0;
    for (const std::string& bounce : bounces) {
        const auto report = ingest::parse_bounce(bounce);
        REQUIRE(report);
        REQUIRE(report->recipients.size() == 1);
        const ingest::RecipientReport& r = report->recipients[0];
        const StageCase* kase = nullptr;
        for (const StageCase& k : k_cases) {
            if (r.recipient == "mailbox@" + k.name + ".test") {
                kase = &k;
            }
        }
        REQUIRE(kase != nullptr);
        ++matched;
        if (keep != nullptr) {
            write_file(std::string(keep) + "/postfix-" + kase->name + ".eml", bounce);
        }
        const ingest::ClassifiedRecipient got =
            ingest::classify_recipient(*report, r, classify::Classifier::builtin());
        CAPTURE(kase->name);
        CAPTURE(r.diagnostic);
        CHECK(std::string(ingest::format_name(report->format)) == "postfix");
        CHECK(r.action == kase->action);
        CHECK(r.command == kase->command);
        CHECK(got.status == kase->status);
        CHECK(got.result.reason == kase->reason);
    }
    CHECK(matched == static_cast<int>(k_cases.size()));
}
