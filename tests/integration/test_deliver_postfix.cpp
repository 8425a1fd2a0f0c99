// `smtpprobe probe --script deliver` against a real Postfix on loopback: with PIPELINING offered
// the MAIL/RCPT/DATA group and "."+QUIT go out pipelined (RFC 2920) and the message arrives;
// Postfix's smtpd, which polices pipelining, logs no "improper command pipelining"; with
// PIPELINING hidden (smtpd_discard_ehlo_keywords) the dialogue is lock-step and still
// delivers; a RCPT refused with Outlook's S3140 text ends the dialogue at RCPT with that reply
// decisive, Postfix's answer to the DATA already sent recorded, and nothing delivered.
#include "tests/support/child_process.hpp"
#include "tests/support/postfix_instance.hpp"
#include "tests/support/skip.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <thread>

using namespace smtpprobe;
using namespace smtpprobe::test;
using nlohmann::json;

namespace {

const char* k_s3140 = "550 5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent. Please "
                      "contact your Internet service provider since part of their network is on "
                      "our block list (S3140).";

struct Delivery {
    RunResult run;
    json result; // the one session's result
};

Delivery deliver(const PostfixInstance& postfix, const TempDir& dir,
                 std::vector<std::string> extra = {})
{
    std::vector<std::string> args = {"--db",
                                     dir.file("h.db"),
                                     "--json",
                                     "probe",
                                     "127.0.0.1:" + std::to_string(postfix.port()),
                                     "--script",
                                     "deliver",
                                     "--rcpt",
                                     "postmaster@" + postfix.domain(),
                                     "--from",
                                     "probe@sender.test",
                                     "--helo",
                                     "probe.test",
                                     "--tls",
                                     "off",
                                     "--timeout",
                                     "all=10",
                                     "--send"};
    args.insert(args.end(), extra.begin(), extra.end());
    Delivery out;
    out.run = run_smtpprobe(args);
    INFO(out.run.err);
    INFO(out.run.out);
    json doc = json::parse(out.run.out, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    REQUIRE(doc["results"].size() == 1);
    out.result = doc["results"][0];
    return out;
}

// The labels of the result's steps, in order.
std::vector<std::string> labels(const json& result)
{
    std::vector<std::string> out;
    for (const auto& step : result["steps"]) {
        out.push_back(step["label"].get<std::string>());
    }
    return out;
}

// Whether the transcript sends MAIL, RCPT and DATA before the first reply to any of them.
bool group_sent_together(const json& result)
{
    int sent_since_reply = 0;
    for (const auto& line : result["transcript"]) {
        std::string dir = line["dir"].get<std::string>();
        std::string text = line["line"].get<std::string>();
        if (dir == "received") {
            if (sent_since_reply >= 3) {
                return true;
            }
            sent_since_reply = 0;
        } else if (dir == "sent") {
            ++sent_since_reply;
        }
    }
    return false;
}

} // namespace

TEST_CASE("deliver against Postfix: pipelined when offered, lock-step when hidden, delivered")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    for (bool offered : {true, false}) {
        CAPTURE(offered);
        PostfixConfig config;
        if (!offered) {
            config.discard_ehlo_keywords = "pipelining";
        }
        PostfixInstance postfix(config);
        postfix.start();
        TempDir dir;
        Delivery d = deliver(postfix, dir);
        CHECK(d.run.exit_code == 0);
        CHECK(d.result["outcome"] == "completed");
        CHECK(d.result["pipelined"] == offered);
        CHECK(group_sent_together(d.result) == offered);
        CHECK(labels(d.result) == std::vector<std::string>{"banner", "ehlo", "mail", "rcpt", "data",
                                                           "data-end", "quit"});
        CHECK(d.result["decisive"]["code"] == 250);
        // The message is in the Maildir, and Postfix saw nothing irregular.
        for (int i = 0; i < 100 && postfix.delivered_messages().empty(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        auto messages = postfix.delivered_messages();
        REQUIRE(messages.size() == 1);
        CHECK(messages[0].find("Subject: smtpprobe delivery test") != std::string::npos);
        CHECK(postfix.log_text().find("improper command pipelining") == std::string::npos);
    }
}

TEST_CASE("deliver against Postfix refusing the RCPT with S3140: decisive at RCPT, nothing sent")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    PostfixConfig config;
    config.client_access = std::string("127.0.0.1 ") + k_s3140 + "\n";
    PostfixInstance postfix(config);
    postfix.start();
    TempDir dir;
    Delivery d = deliver(postfix, dir);
    CHECK(d.run.exit_code == 1);
    CHECK(d.result["pipelined"] == true);
    CHECK(d.result["outcome"] == "rejected");
    CHECK(d.result["stage"] == "rcpt");
    CHECK(d.result["decisive"]["code"] == 550);
    CHECK(d.result["decisive"]["text"].get<std::string>().find("S3140") != std::string::npos);
    // DATA went out with the group: Postfix's answer to it is recorded, not judged; one QUIT.
    CHECK(labels(d.result) ==
          std::vector<std::string>{"banner", "ehlo", "mail", "rcpt", "data", "quit"});
    json data = d.result["steps"][4];
    CHECK(data["reply"]["code"].get<int>() / 100 == 5);
    CHECK(postfix.log_text().find("improper command pipelining") == std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(postfix.delivered_messages().empty());
}

TEST_CASE("no DATA without --send or allow_data: probe and run refuse deliver before connecting")
{
    if (!is_root()) {
        SMTPPROBE_SKIP("needs root to run Postfix");
    }
    PostfixInstance postfix(PostfixConfig{});
    postfix.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // The start-up check's own connection is logged: count only what comes after it.
    const std::size_t log_start = postfix.log_text().size();
    TempDir dir;
    const std::string target = "127.0.0.1:" + std::to_string(postfix.port());
    // The command line: a usage error naming --send, nothing sent.
    RunResult cli = run_smtpprobe({"--db", dir.file("h.db"), "probe", target, "--script", "deliver",
                                   "--tls", "off", "--helo", "probe.test"});
    CAPTURE(cli.err);
    CHECK(cli.exit_code == 2);
    CHECK(cli.err.find("--send") != std::string::npos);
    // A config receiver with script = "deliver" and no allow_data: `run` refuses it (the part
    // fails and says why) and `config check` names the permission.
    write_file(dir.file("c.toml"),
               "[[receiver]]\nname = \"local\"\nmx = \"" + target +
                   "\"\nscript = \"deliver\"\nrecipient = \"postmaster@" + postfix.domain() +
                   "\"\n[probes]\nstarttls = false\ndefault_receivers = false\n");
    RunResult check = run_smtpprobe({"config", "check", dir.file("c.toml")});
    CHECK(check.exit_code == 2);
    CHECK(check.err.find("allow_data") != std::string::npos);
    RunResult tick =
        run_smtpprobe({"--config", dir.file("c.toml"), "--db", dir.file("h.db"), "run", "--now"});
    CAPTURE(tick.out);
    CAPTURE(tick.err);
    CHECK(tick.exit_code == 3);
    CHECK(tick.out.find("allow_data") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // Postfix saw no client at all, so certainly no DATA, and delivered nothing.
    CHECK(postfix.log_text().substr(log_start).find("connect from") == std::string::npos);
    CHECK(postfix.delivered_messages().empty());
    // With allow_data = true the same receiver is delivered to.
    write_file(dir.file("c.toml"),
               "[[receiver]]\nname = \"local\"\nmx = \"" + target +
                   "\"\nscript = \"deliver\"\nallow_data = true\nrecipient = \"postmaster@" +
                   postfix.domain() +
                   "\"\n[probes]\nstarttls = false\ndefault_receivers = false\n");
    tick =
        run_smtpprobe({"--config", dir.file("c.toml"), "--db", dir.file("h.db"), "run", "--now"});
    CAPTURE(tick.out);
    CHECK(tick.out.find("1 probed") != std::string::npos);
    for (int i = 0; i < 100 && postfix.delivered_messages().empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(postfix.delivered_messages().size() == 1);
}
