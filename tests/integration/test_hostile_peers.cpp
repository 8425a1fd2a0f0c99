// The probe against hostile peers (a scripted server on loopback: no real server misbehaves
// on demand): an endless multi-line reply, a 1 MB line, one byte per second, a reset in the
// middle of a reply, garbage instead of a code, a TLS handshake that fails. Each ends with a
// clear outcome within its deadline, with bounded memory, and is stored.
#include "monitor/store/database.hpp"
#include "monitor/store/probe_store.hpp"
#include "probe/session.hpp"
#include "probe/tls_facts.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/scripted_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

using namespace smtpprobe;
using namespace smtpprobe::probe;
using smtpprobe::test::ServerConnection;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMTPPROBE_HOSTILE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SMTPPROBE_HOSTILE_ASAN 1
#endif
#ifdef SMTPPROBE_HOSTILE_ASAN
constexpr long k_asan_factor = 3;
#else
constexpr long k_asan_factor = 1;
#endif

namespace {

long peak_rss_kb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

ProbeResult run_against(const test::ScriptedServer& server, TlsMode tls = TlsMode::off)
{
    boost::asio::io_context io;
    auto tls_context = make_client_tls_context();
    SessionOptions o;
    o.script = *builtin_script("block-check");
    o.values = {"probe@test.example", "user@test.example", "probe.test.example", "envid.1"};
    o.tls = tls;
    o.tls_context = &tls_context;
    std::string error;
    o.limits.set("all=2", &error);
    o.limits.set("session=8", &error);
    std::string target_error;
    auto target = parse_target(server.address(), 25, &target_error);
    auto future =
        boost::asio::co_spawn(io, probe_target(*target, nullptr, o), boost::asio::use_future);
    io.run();
    return future.get();
}

void banner_then_ehlo(ServerConnection& c, const std::string& extensions)
{
    c.send("220 hostile.test ESMTP\r\n");
    if (c.read_line()) {
        c.send("250-hostile.test\r\n" + extensions);
    }
}

struct Hostile {
    const char* name;
    test::ScriptedServer::Handler handler;
    Outcome outcome;
    Stage stage;
    const char* error_part;
    TlsMode tls = TlsMode::off;
};

} // namespace

TEST_CASE("hostile peers: each ends clearly, in time, bounded, and stored")
{
    const std::vector<Hostile> cases = {
        {"endless multi-line reply",
         [](ServerConnection& c) {
             while (c.send("220-more banner, forever and ever and ever\r\n")) {
             }
         },
         Outcome::protocol_error, Stage::banner, "larger than"},
        {"1 MB line",
         [](ServerConnection& c) {
             c.send("220 " + std::string(1'000'000, 'A') + "\r\n");
             c.pause(3000);
         },
         Outcome::protocol_error, Stage::banner, "larger than"},
        {"1 byte per second",
         [](ServerConnection& c) {
             for (char ch : std::string("220 slow.test ESMTP\r\n")) {
                 if (!c.send(std::string(1, ch)) || !c.pause(1000)) {
                     return;
                 }
             }
         },
         Outcome::timeout, Stage::banner, "timeout (banner)"},
        {"reset mid-reply",
         [](ServerConnection& c) {
             c.send("220 hostile.test ESMTP\r\n");
             if (c.read_line()) {
                 c.send("250-hostile.test\r\n250-PIPEL");
                 c.pause(100);
                 c.reset();
             }
         },
         Outcome::protocol_error, Stage::ehlo, "middle of a reply"},
        {"garbage instead of a code",
         [](ServerConnection& c) {
             c.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
             c.pause(3000);
         },
         Outcome::protocol_error, Stage::banner, "three-digit code"},
        {"TLS handshake failure",
         [](ServerConnection& c) {
             banner_then_ehlo(c, "250 STARTTLS\r\n");
             if (c.read_line()) {
                 c.send("220 2.0.0 go ahead\r\n");
                 c.read_line(500); // the ClientHello, not a line: wait a moment
                 c.send("this is not a TLS record at all\r\n");
                 c.pause(200);
             }
         },
         Outcome::tls_failed, Stage::tls_handshake, "TLS handshake failed", TlsMode::opportunistic},
    };
    test::TempDir dir;
    store::Database db(dir.file("h.db"));
    long rss_before = peak_rss_kb();
    for (const auto& h : cases) {
        CAPTURE(h.name);
        test::ScriptedServer server(h.handler);
        auto started = std::chrono::steady_clock::now();
        ProbeResult r = run_against(server, h.tls);
        auto took = std::chrono::steady_clock::now() - started;
        CHECK(took < std::chrono::milliseconds(4000)); // stage deadline 2 s, plus margin
        CHECK(outcome_name(r.outcome) == std::string(outcome_name(h.outcome)));
        CHECK(r.stage == h.stage);
        CAPTURE(r.error);
        CHECK(r.error.find(h.error_part) != std::string::npos);
        auto id = store::store_probe_result(db, r);
        auto q = db.prepare("SELECT outcome, stage FROM probe_run WHERE id = ?");
        q.bind(1, id);
        REQUIRE(q.step());
        CHECK(q.column_text(0) == outcome_name(h.outcome));
        CHECK(q.column_text(1) == stage_name(h.stage));
    }
    // Bounded: a megabyte line and an endless reply never grow the process by more than the
    // reply limit and buffers (the scripted server's own 1 MB string included).
    long grown_kb = peak_rss_kb() - rss_before;
    MESSAGE("peak RSS growth over all hostile peers: " << grown_kb << " KiB");
    // AddressSanitizer's shadow memory, redzones and allocator caches take about three times
    // the memory (6 MB grows to ~21 MB); an unbounded buffer would still take hundreds.
    CHECK(grown_kb < k_asan_factor * 16 * 1024);
}

TEST_CASE("hostile peer through the CLI: exit 3, one clear line, stored")
{
    test::ScriptedServer server([](ServerConnection& c) {
        c.send("HTTP/1.1 400 Bad Request\r\n\r\n");
        c.pause(1000);
    });
    test::TempDir dir;
    auto r = test::run_smtpprobe(
        {"--db", dir.file("h.db"), "--json", "probe", server.address(), "--timeout", "all=2"});
    CHECK(r.exit_code == 3);
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    CHECK(doc["results"][0]["outcome"] == "protocol-error");
    store::Database db(dir.file("h.db"));
    CHECK(store::load_probe_runs(db).size() == 1);
}
