// Script engine: built-in scripts, templates, validation (table-driven), and the session
// against a scripted server that fails at step n, for every n and every kind of fault.
#include "probe/dsn_test.hpp"
#include "probe/script.hpp"
#include "tests/probe/session_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/scripted_server.hpp"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <thread>

using namespace smtpprobe;
using namespace smtpprobe::probe;
using smtpprobe::test::DialogueSpec;

TEST_CASE("scripts: built-ins and their DATA permission")
{
    struct Row {
        const char* name;
        bool has_data;
        bool ok_without_send;
    };
    for (const Row& row : {Row{"block-check", false, true}, Row{"dsn-test", false, true},
                           Row{"deliver", true, false}}) {
        CAPTURE(row.name);
        auto s = builtin_script(row.name);
        REQUIRE(s);
        CHECK(s->has_data() == row.has_data);
        CHECK(validate_script(*s, false).empty() == row.ok_without_send);
    }
    CHECK_FALSE(builtin_script("nope"));
    Script user;
    user.name = "mine";
    ScriptStep data;
    data.label = "data";
    data.command = "DATA";
    data.stage = Stage::data;
    data.expect = 3;
    data.is_data = true;
    user.steps = {data};
    CHECK(validate_script(user, false).find("--send") != std::string::npos);
    CHECK(validate_script(user, true).empty());
    // A script cannot grant itself permission (issue 17): deliver = true is no --send.
    user.deliver = true;
    CHECK(validate_script(user, false).find("allow_data") != std::string::npos);
    user.steps[0].command = "DATA\r\nQUIT";
    CHECK_FALSE(validate_script(user, true).empty());
}

TEST_CASE("scripts: template expansion table")
{
    ScriptValues v{"a@b.example", "c@d.example", "helo.example", "E1"};
    struct Row {
        const char* tmpl;
        const char* want; // nullptr: must fail
    };
    for (const Row& row : {Row{"MAIL FROM:<{from}>", "MAIL FROM:<a@b.example>"},
                           Row{"RCPT TO:<{rcpt}> ORCPT=rfc822;{rcpt}",
                               "RCPT TO:<c@d.example> ORCPT=rfc822;c@d.example"},
                           Row{"EHLO {helo}", "EHLO helo.example"},
                           Row{"MAIL FROM:<> ENVID={envid}", "MAIL FROM:<> ENVID=E1"},
                           Row{"NOOP {unknown}", nullptr}, Row{"NOOP {from", nullptr}}) {
        CAPTURE(row.tmpl);
        std::string error;
        auto out = expand_command(row.tmpl, v, &error);
        if (row.want) {
            REQUIRE(out);
            CHECK(*out == row.want);
        } else {
            CHECK_FALSE(out);
            CHECK_FALSE(error.empty());
        }
    }
    ScriptValues evil = v;
    evil.rcpt = "x@y\r\nDATA";
    std::string error;
    CHECK_FALSE(expand_command("RCPT TO:<{rcpt}>", evil, &error));
}

TEST_CASE("session: block-check against a scripted server completes")
{
    test::ScriptedServer server([](test::ServerConnection& c) { test::run_dialogue(c, {}); });
    auto r = test::run_probe(server.address(), test::session_options("block-check"));
    CHECK(r.outcome == Outcome::completed);
    REQUIRE(r.decisive);
    CHECK(r.decisive->code == 250);
    CHECK(r.has_extension("DSN"));
    CHECK(r.step("rcpt"));
    CHECK(r.transcript.size() >= 10);
}

TEST_CASE("session: fails at step n, for every n and every fault")
{
    // block-check steps: banner(0) EHLO(1) MAIL(2) RCPT(3) RSET(4) QUIT(5).
    const Stage stage_at[] = {Stage::banner, Stage::ehlo, Stage::mail,
                              Stage::rcpt,   Stage::rset, Stage::quit};
    using Fault = DialogueSpec::Fault;
    for (Fault fault : {Fault::close, Fault::reset, Fault::reply_421, Fault::hang}) {
        for (int n = 0; n <= 5; ++n) {
            CAPTURE(static_cast<int>(fault));
            CAPTURE(n);
            DialogueSpec spec;
            spec.fault = fault;
            spec.fail_after = n;
            test::ScriptedServer server(
                [&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
            auto options = test::session_options("block-check");
            std::string error;
            options.limits.set("all=1", &error);
            auto started = std::chrono::steady_clock::now();
            auto r = test::run_probe(server.address(), options);
            auto took = std::chrono::steady_clock::now() - started;
            CHECK(took < std::chrono::seconds(5));
            if (n == 5) {
                // Everything was answered before QUIT: the result stands.
                CHECK(r.outcome == Outcome::completed);
                continue;
            }
            CHECK(r.outcome != Outcome::completed);
            CHECK(r.stage == stage_at[n]);
            if (fault == Fault::hang) {
                CHECK(r.outcome == Outcome::timeout);
                CHECK(r.error.find(stage_name(stage_at[n])) != std::string::npos);
            } else if (fault == Fault::reply_421) {
                CHECK(r.outcome == Outcome::deferred);
                REQUIRE(r.decisive);
                CHECK(r.decisive->code == 421);
            } else {
                CHECK(r.outcome == Outcome::protocol_error);
                CHECK_FALSE(r.error.empty());
            }
        }
    }
}

TEST_CASE("session: EHLO refused falls back to HELO")
{
    DialogueSpec spec;
    spec.replies["EHLO"] = "502 5.5.2 what\r\n";
    test::ScriptedServer server([&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
    auto r = test::run_probe(server.address(), test::session_options("block-check"));
    CHECK(r.outcome == Outcome::completed);
    CHECK(r.used_helo);
    CHECK(r.extensions.empty());
    CHECK(r.step("helo"));
}

TEST_CASE("session: a refused RCPT is the decisive reply and stops the dialogue")
{
    DialogueSpec spec;
    spec.replies["RCPT"] = "550-5.7.1 Unfortunately, messages from [127.0.0.1] weren't sent.\r\n"
                           "550 5.7.1 ... on our block list (S3140)\r\n";
    test::ScriptedServer server([&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
    auto r = test::run_probe(server.address(), test::session_options("block-check"));
    CHECK(r.outcome == Outcome::rejected);
    CHECK(r.stage == Stage::rcpt);
    REQUIRE(r.decisive);
    CHECK(r.decisive->enhanced == "5.7.1");
    CHECK(r.decisive->lines.size() == 2);
    CHECK(r.step("quit")); // QUIT politely after the refusal
    CHECK_FALSE(r.step("rset"));
}

TEST_CASE("dsn-test verdicts against scripted servers (table)")
{
    struct Row {
        const char* name;
        std::string extensions;
        std::map<std::string, std::string> replies;
        DsnVerdict verdict;
    };
    const std::string with_dsn = "PIPELINING\r\n250-DSN\r\n250 ENHANCEDSTATUSCODES";
    const std::string without_dsn = "PIPELINING\r\n250 ENHANCEDSTATUSCODES";
    std::vector<Row> rows = {
        {"dsn accepted", with_dsn, {}, DsnVerdict::backscatter_risk},
        {"dsn not advertised", without_dsn, {}, DsnVerdict::safe},
        {"both refused",
         with_dsn,
         {{"RCPT", "550 5.7.1 blocked (S3140)\r\n"}},
         DsnVerdict::inconclusive},
        {"mail refused", with_dsn, {{"MAIL", "550 5.7.1 go away\r\n"}}, DsnVerdict::inconclusive},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        DialogueSpec spec;
        spec.ehlo_extensions = row.extensions;
        spec.replies = row.replies;
        test::ScriptedServer server(
            [&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
        auto r = test::run_probe(server.address(), test::session_options("dsn-test"));
        auto d = evaluate_dsn_test(r);
        CHECK(d.verdict == row.verdict);
        CHECK_FALSE(d.reason.empty());
    }
}

TEST_CASE("dsn-test: NOTIFY refused with 555 while plain RCPT accepted is safe")
{
    test::ScriptedServer server([](test::ServerConnection& c) {
        c.send("220 fake ESMTP\r\n");
        while (auto line = c.read_line()) {
            if (line->rfind("EHLO", 0) == 0) {
                c.send("250-fake\r\n250 DSN\r\n");
            } else if (line->find("NOTIFY=") != std::string::npos) {
                c.send("555 5.5.4 Unsupported option: NOTIFY\r\n");
            } else if (line->rfind("QUIT", 0) == 0) {
                c.send("221 bye\r\n");
                return;
            } else {
                c.send("250 2.0.0 ok\r\n");
            }
        }
    });
    auto r = test::run_probe(server.address(), test::session_options("dsn-test"));
    auto d = evaluate_dsn_test(r);
    CHECK(d.verdict == DsnVerdict::safe);
    CHECK(d.notify_accepted == false);
    CHECK(d.dsn_advertised);
}

TEST_CASE("connector: next host after a refused connection and after a 4xx banner")
{
    test::ScriptedServer busy([](test::ServerConnection& c) {
        c.send("421 4.3.2 too busy\r\n");
        c.read_line(2000);
    });
    test::ScriptedServer good([](test::ServerConnection& c) { test::run_dialogue(c, {}); });
    int closed_port = test::free_tcp_port();
    auto loopback = boost::asio::ip::make_address("127.0.0.1");
    // A route has one port for all its hosts, so "refuses connections" is a loopback address
    // nothing listens on (127.0.0.2) beside the good server on 127.0.0.1.
    dns::MailRoute route;
    route.kind = dns::MailRoute::Kind::mx;
    route.hosts.push_back({"mx1.test", 10, {loopback}});
    auto options = test::session_options("block-check");

    // 1) first host refuses connections (closed port), no second host: connect-failed.
    auto r1 = test::run_route("mx.test:" + std::to_string(closed_port), route, options);
    CHECK(r1.outcome == Outcome::connect_failed);
    // 2) the first MX refuses connections: the second one answers.
    dns::MailRoute two;
    two.kind = dns::MailRoute::Kind::mx;
    two.hosts.push_back({"mx1.test", 10, {boost::asio::ip::make_address("127.0.0.2")}});
    two.hosts.push_back({"mx2.test", 20, {loopback}});
    auto r2 = test::run_route("mx.test:" + std::to_string(good.port()), two, options);
    CHECK(r2.outcome == Outcome::completed);
    CHECK(r2.mx_host == "mx2.test");
    REQUIRE(r2.attempts.size() == 2);
    CHECK(r2.attempts[0].result != "connected");
    // 3) a 4xx banner: try the next host.
    dns::MailRoute banner;
    banner.kind = dns::MailRoute::Kind::mx;
    banner.hosts.push_back({"busy.test", 10, {loopback}});
    auto r3 = test::run_route("mx.test:" + std::to_string(busy.port()), banner, options);
    CHECK(r3.outcome == Outcome::deferred);
    CHECK(r3.stage == Stage::banner);
    REQUIRE(r3.decisive);
    CHECK(r3.decisive->code == 421);
}

TEST_CASE(
    "session: after the 221 to QUIT the server closes first, and a server that does not is not "
    "waited for long")
{
    // The server answers QUIT, waits 150 ms, then looks whether the client has already closed
    // (recv() == 0 without blocking) before it closes itself.
    for (bool server_closes : {true, false}) {
        CAPTURE(server_closes);
        std::atomic<int> client_closed_first{-1};
        test::ScriptedServer server([&](test::ServerConnection& c) {
            c.send("220 fake.test ESMTP\r\n");
            for (;;) {
                auto line = c.read_line();
                if (!line) {
                    return;
                }
                if (*line == "QUIT") {
                    c.send("221 2.0.0 bye\r\n");
                    c.pause(150);
                    char byte = 0;
                    client_closed_first = ::recv(c.fd(), &byte, 1, MSG_DONTWAIT) == 0 ? 1 : 0;
                    if (!server_closes) {
                        c.pause(2000); // never closes by itself within the client's wait
                    }
                    return;
                }
                c.send(line->rfind("EHLO", 0) == 0 ? "250-fake.test\r\n250 DSN\r\n"
                                                   : "250 2.0.0 ok\r\n");
            }
        });
        const auto start = std::chrono::steady_clock::now();
        auto r = test::run_probe(server.address(), test::session_options("block-check"));
        const auto took = std::chrono::steady_clock::now() - start;
        CHECK(r.outcome == Outcome::completed);
        if (server_closes) {
            // The client was still connected 150 ms after the 221: it waited for our close.
            for (int i = 0; i < 100 && client_closed_first < 0; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            CHECK(client_closed_first == 0);
        } else {
            // It gives up after its short wait, far before the server's 2 s.
            CHECK(took < std::chrono::milliseconds(1500));
        }
    }
}

TEST_CASE("session: a banner of more than 100 lines is stored as it was, its final line kept")
{
    // 150 lines: the transcript keeps 99, says how many it skipped and where, then the final
    // line, marked final; it never shows line 100 as the end of the reply.
    std::string banner;
    for (int i = 1; i < 150; ++i) {
        banner += "220-line " + std::to_string(i) + "\r\n";
    }
    banner += "220 final fake.test ESMTP\r\n";
    test::DialogueSpec spec;
    spec.banner = banner;
    test::ScriptedServer server([&](test::ServerConnection& c) { test::run_dialogue(c, spec); });
    auto r = test::run_probe(server.address(), test::session_options("block-check"));
    REQUIRE(r.banner);
    CHECK(r.banner->lines.size() == 100);
    CHECK(r.banner->skipped_lines == 50);
    CHECK(r.banner->lines.back() == "final fake.test ESMTP");
    std::vector<std::string> received;
    std::size_t skip_note = 0;
    for (const auto& line : r.transcript) {
        if (line.dir == TranscriptLine::Dir::received && line.line.rfind("220", 0) == 0) {
            received.push_back(line.line);
        } else if (line.line.find("reply lines skipped here") != std::string::npos) {
            skip_note = received.size();
            CHECK(line.line.find("50 reply lines") != std::string::npos);
        }
    }
    REQUIRE(received.size() == 100);
    CHECK(received[98] == "220-line 99");
    CHECK(received[99] == "220 final fake.test ESMTP");
    CHECK(skip_note == 99);
    for (std::size_t i = 0; i + 1 < received.size(); ++i) {
        CHECK(received[i][3] == '-');
    }
}
