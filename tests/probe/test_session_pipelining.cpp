// RFC 2920 pipelining of a script's steps: groups go out in one write only when the script
// pipelines and the server offers PIPELINING; replies to commands sent after a refusal are
// read and recorded, never judged; a 354 the dialogue does not want is ended with "." alone;
// QUIT is sent once. The servers are scripted so that a client that does not behave as
// asserted stalls or is caught (a pipelined line that never comes times the server out).
#include "probe/script.hpp"
#include "tests/probe/session_fixture.hpp"
#include "tests/support/scripted_server.hpp"

#include <atomic>
#include <doctest/doctest.h>
#include <map>
#include <string>
#include <vector>

using namespace smtpprobe;
using namespace smtpprobe::probe;

namespace {

const char* const k_ehlo_pipelining = "250-fake.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
const char* const k_ehlo_plain = "250-fake.test\r\n250 8BITMIME\r\n";

// The sent lines of a transcript, in order, and the index of the first received line after
// the EHLO reply (where the script's replies begin).
std::vector<std::string> sent_lines(const ProbeResult& r)
{
    std::vector<std::string> out;
    for (const auto& t : r.transcript) {
        if (t.dir == TranscriptLine::Dir::sent) {
            out.push_back(t.line);
        }
    }
    return out;
}

int count_steps(const ProbeResult& r, std::string_view label)
{
    int n = 0;
    for (const auto& s : r.steps) {
        n += s.label == label ? 1 : 0;
    }
    return n;
}

} // namespace

TEST_CASE("pipelining: deliver sends MAIL, RCPT, DATA in one group, then the message with QUIT")
{
    std::atomic<bool> grouped{false};
    std::atomic<bool> quit_with_message{false};
    test::ScriptedServer server([&](test::ServerConnection& c) {
        c.send("220 fake.test ESMTP\r\n");
        if (!c.read_line()) {
            return;
        }
        c.send(k_ehlo_pipelining);
        // All three commands must arrive before any of them is answered: a lock-step client
        // would wait for MAIL's reply and these reads would time out.
        auto mail = c.read_line(1000);
        auto rcpt = c.read_line(1000);
        auto data = c.read_line(1000);
        grouped = mail && mail->rfind("MAIL FROM:", 0) == 0 && rcpt &&
                  rcpt->rfind("RCPT TO:", 0) == 0 && data && *data == "DATA";
        if (!grouped) {
            return;
        }
        c.send("250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go ahead\r\n");
        while (auto line = c.read_line(1000)) {
            if (*line == ".") {
                break;
            }
        }
        // QUIT came with the message, before the reply to ".".
        auto quit = c.read_line(1000);
        quit_with_message = quit && *quit == "QUIT";
        c.send("250 2.0.0 queued as X\r\n221 2.0.0 bye\r\n");
    });
    auto r = test::run_probe(server.address(), test::session_options("deliver"));
    CHECK(grouped);
    CHECK(quit_with_message);
    CHECK(r.outcome == Outcome::completed);
    CHECK(r.pipelined);
    REQUIRE(r.decisive);
    CHECK(r.decisive->code == 250);
    CHECK(r.decisive->text().find("queued as X") != std::string::npos);
    for (const char* label : {"mail", "rcpt", "data", "data-end", "quit"}) {
        CAPTURE(label);
        REQUIRE(r.step(label));
        CHECK(r.step(label)->reply);
    }
    CHECK(r.step("data")->reply->code == 354);
    CHECK(r.step("quit")->reply->code == 221);
    // The transcript is the wire: the three commands, then their three replies.
    auto sent = sent_lines(r);
    REQUIRE(sent.size() == 6);
    CHECK(sent[1].rfind("MAIL FROM:", 0) == 0);
    CHECK(sent[3] == "DATA");
    CHECK(sent[5] == "QUIT");
}

TEST_CASE("pipelining: lock-step without PIPELINING, with --no-pipelining, and for block-check")
{
    struct Row {
        const char* name;
        const char* script;
        bool offered;
        bool allowed;
    };
    for (const Row& row : {Row{"not offered", "deliver", false, true},
                           Row{"--no-pipelining", "deliver", true, false},
                           Row{"block-check does not pipeline", "block-check", true, true}}) {
        CAPTURE(std::string(row.name));
        std::atomic<int> early{0};    // commands that arrived before the previous reply
        std::atomic<int> answered{0}; // commands answered
        test::ScriptedServer server([&](test::ServerConnection& c) {
            c.send("220 fake.test ESMTP\r\n");
            bool in_data = false;
            while (auto line = c.read_line(2000)) {
                if (in_data) {
                    if (*line == ".") {
                        in_data = false;
                        early += c.has_input(100) ? 1 : 0;
                        c.send("250 2.0.0 queued\r\n");
                    }
                    continue;
                }
                // A lock-step client has sent nothing more: wait a little to be sure.
                early += c.has_input(100) ? 1 : 0;
                ++answered;
                if (line->rfind("EHLO", 0) == 0) {
                    c.send(row.offered ? k_ehlo_pipelining : k_ehlo_plain);
                } else if (*line == "DATA") {
                    in_data = true;
                    c.send("354 go ahead\r\n");
                } else if (*line == "QUIT") {
                    c.send("221 2.0.0 bye\r\n");
                    return;
                } else {
                    c.send("250 2.0.0 ok\r\n");
                }
            }
        });
        auto options = test::session_options(row.script);
        options.pipelining = row.allowed;
        auto r = test::run_probe(server.address(), options);
        CHECK(r.outcome == Outcome::completed);
        CHECK_FALSE(r.pipelined);
        CHECK(early == 0);
        CHECK(answered >= 5);
    }
}

TEST_CASE("pipelining: a refusal inside a group: later replies are recorded, not judged")
{
    struct Row {
        const char* name;
        std::map<std::string, std::string> replies; // verb -> reply
        Stage stage;                                // where the dialogue stopped
        int decisive_code;
        bool dot_alone; // DATA got 354 anyway: the client must send "." with no message
    };
    std::vector<Row> rows = {
        {"MAIL refused",
         {{"MAIL", "550 5.7.1 go away\r\n"}, {"DATA", "503 5.5.1 need RCPT\r\n"}},
         Stage::mail,
         550,
         false},
        {"RCPT refused (S3140), DATA then refused",
         {{"RCPT", "550 5.7.1 Service unavailable; on our block list (S3140)\r\n"},
          {"DATA", "554 5.5.1 Error: no valid recipients\r\n"}},
         Stage::rcpt,
         550,
         false},
        {"RCPT refused, DATA answered 354 all the same",
         {{"RCPT", "550 5.1.1 no such user\r\n"}},
         Stage::rcpt,
         550,
         true},
        {"RCPT deferred",
         {{"RCPT", "450 4.7.1 try later\r\n"}, {"DATA", "554 5.5.1 no valid recipients\r\n"}},
         Stage::rcpt,
         450,
         false},
    };
    for (const auto& row : rows) {
        CAPTURE(std::string(row.name));
        std::atomic<int> quits{0};
        std::atomic<int> message_lines{0}; // lines between 354 and "."
        test::ScriptedServer server([&](test::ServerConnection& c) {
            c.send("220 fake.test ESMTP\r\n");
            while (auto line = c.read_line(2000)) {
                std::string verb = line->substr(0, 4);
                if (verb == "EHLO") {
                    c.send(k_ehlo_pipelining);
                    continue;
                }
                if (verb == "QUIT") {
                    ++quits;
                    c.send("221 2.0.0 bye\r\n");
                    continue; // count a second QUIT, should one come
                }
                auto it = row.replies.find(verb);
                if (it != row.replies.end()) {
                    c.send(it->second);
                    continue;
                }
                if (verb == "DATA") {
                    c.send("354 go ahead\r\n");
                    while (auto body = c.read_line(2000)) {
                        if (*body == ".") {
                            break;
                        }
                        ++message_lines;
                    }
                    c.send("554 5.5.1 Error: no valid recipients\r\n");
                    continue;
                }
                c.send(verb == "RCPT" && row.stage == Stage::mail ? "503 5.5.1 need MAIL\r\n"
                                                                  : "250 2.0.0 ok\r\n");
            }
        });
        auto r = test::run_probe(server.address(), test::session_options("deliver"));
        CHECK(r.pipelined);
        CHECK(r.outcome == (row.decisive_code >= 500 ? Outcome::rejected : Outcome::deferred));
        CHECK(r.stage == row.stage);
        REQUIRE(r.decisive);
        CHECK(r.decisive->code == row.decisive_code);
        CHECK(quits == 1);
        CHECK(message_lines == 0); // never the message after a refusal
        // Every command sent has its reply recorded.
        for (const char* label : {"mail", "rcpt", "data", "quit"}) {
            CAPTURE(label);
            REQUIRE(r.step(label));
            CHECK(r.step(label)->reply);
        }
        CHECK(count_steps(r, "quit") == 1);
        CHECK(count_steps(r, "data-end") == (row.dot_alone ? 1 : 0));
    }
}

TEST_CASE("pipelining: a fault at any reply of the group ends in a clear result in time")
{
    // deliver, pipelined: banner(0) EHLO(1) MAIL(2) RCPT(3) DATA(4) QUIT(5); "." is not counted.
    const Stage stage_at[] = {Stage::banner, Stage::ehlo, Stage::mail,
                              Stage::rcpt,   Stage::data, Stage::quit};
    using Fault = test::DialogueSpec::Fault;
    for (Fault fault : {Fault::close, Fault::reset, Fault::reply_421, Fault::hang}) {
        for (int n = 0; n <= 5; ++n) {
            CAPTURE(static_cast<int>(fault));
            CAPTURE(n);
            test::DialogueSpec spec;
            spec.fault = fault;
            spec.fail_after = n;
            test::ScriptedServer server(
                [&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
            auto options = test::session_options("deliver");
            std::string error;
            options.limits.set("all=1", &error);
            auto started = std::chrono::steady_clock::now();
            auto r = test::run_probe(server.address(), options);
            CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
            if (n == 5) {
                CHECK(r.outcome == Outcome::completed); // all answered before QUIT
                continue;
            }
            CHECK(r.outcome != Outcome::completed);
            if (fault == Fault::reset && n > 2) {
                // A reset may overtake replies the server sent before it: the client learns
                // of it at an earlier reply of the group (MAIL, RCPT, DATA), never a later one.
                CHECK(r.stage >= Stage::mail);
                CHECK(r.stage <= stage_at[n]);
            } else {
                CHECK(r.stage == stage_at[n]);
            }
            if (fault == Fault::hang) {
                CHECK(r.outcome == Outcome::timeout);
            } else if (fault == Fault::reply_421) {
                REQUIRE(r.decisive);
                CHECK(r.decisive->code == 421);
            }
        }
    }
}
