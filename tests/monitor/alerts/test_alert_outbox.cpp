// Alerts once per change: repeated runs never duplicate; failures are retried with back-off
// then given up; webhooks POST the documented JSON (retried within the run on a 5xx).
#include "monitor/alerts/alert_outbox.hpp"
#include "monitor/alerts/command_runner.hpp"
#include "monitor/alerts/webhook_client.hpp"
#include "monitor/config/config_loader.hpp"
#include "monitor/episodes/episode_builder.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_history.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using namespace smtpprobe;
using smtpprobe::test::TempDir;

namespace {

void add(store::Database& db, const std::string& time, const std::string& scope,
         const std::string& verdict)
{
    static std::int64_t source = 1000;
    db.prepare("INSERT INTO evidence(time, ip, scope, verdict, reason, provider_code, "
               "source_kind, source_id) VALUES (?, '192.0.2.1', ?, ?, 'blocked', 'S3140', "
               "'probe', ?)")
        .bind(1, time)
        .bind(2, scope)
        .bind(3, verdict)
        .bind(4, ++source)
        .run();
    // What every writer does after writing evidence (alerts read the folded episodes).
    episodes::update_episodes(db, config::Config{});
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.push_back(line);
        }
    }
    return out;
}

monitor::Clock::time_point at(const char* iso)
{
    return *monitor::parse_iso_utc(iso);
}

} // namespace

TEST_CASE("each change alerts once through a command hook, across repeated runs")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    config::Config c = config::parse_config(
        "[[alerts.command]]\nname = \"file\"\ncommand = \"cat >> " + dir.file("events") + "\"\n",
        "c.toml");
    add(db, "2026-11-20T10:00:00Z", "microsoft-consumer/eur", "blocked");
    add(db, "2026-11-20T10:05:00Z", "dnsbl/zen.spamhaus.org", "blocked");
    for (int run = 0; run < 3; ++run) {
        alerts::enqueue_alerts(db, c, at("2026-11-20T11:00:00Z"));
        alerts::dispatch_alerts(db, c, at("2026-11-20T11:00:00Z"));
    }
    auto events = lines_of(test::read_file(dir.file("events")));
    REQUIRE(events.size() == 2);
    add(db, "2026-11-20T12:00:00Z", "microsoft-consumer/eur", "clear");
    for (int run = 0; run < 3; ++run) {
        alerts::enqueue_alerts(db, c, at("2026-11-20T12:01:00Z"));
        alerts::dispatch_alerts(db, c, at("2026-11-20T12:01:00Z"));
    }
    events = lines_of(test::read_file(dir.file("events")));
    REQUIRE(events.size() == 3);
    std::vector<std::string> kinds;
    for (const std::string& line : events) {
        auto j = nlohmann::json::parse(line);
        kinds.push_back(j["event"]);
        CHECK(j["version"] == 1);
        CHECK(j["ip"] == "192.0.2.1");
        CHECK_FALSE(j["summary"].get<std::string>().empty());
    }
    CHECK(kinds == std::vector<std::string>{"episode_opened", "dnsbl_listed", "episode_closed"});
    auto closed = nlohmann::json::parse(events[2]);
    CHECK(closed["opened"] == "2026-11-20T10:00:00Z");
    CHECK(closed["closed"] == "2026-11-20T12:00:00Z");
    CHECK(closed["provider_code"] == "S3140");
}

TEST_CASE("old history is recorded but not alerted")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    config::Config c = config::parse_config(
        "[[alerts.command]]\ncommand = \"cat >> " + dir.file("events") + "\"\n", "c.toml");
    add(db, "2019-03-11T20:18:23Z", "microsoft-365/mit-edu", "blocked");
    auto r = alerts::enqueue_alerts(db, c, at("2026-11-20T11:00:00Z"));
    CHECK(r.new_events == 0);
    CHECK(r.stale_events == 1);
    alerts::dispatch_alerts(db, c, at("2026-11-20T11:00:00Z"));
    CHECK(test::read_file(dir.file("events")).empty());
}

TEST_CASE("a failing channel is retried with back-off, then given up")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    config::Config c =
        config::parse_config("[alerts]\nmax_attempts = 3\nretry_base = \"1m\"\n"
                             "[[alerts.command]]\ncommand = \"echo no >&2; exit 4\"\n",
                             "c.toml");
    add(db, "2026-11-20T10:00:00Z", "google", "blocked");
    alerts::enqueue_alerts(db, c, at("2026-11-20T10:00:00Z"));
    auto first = alerts::dispatch_alerts(db, c, at("2026-11-20T10:00:00Z"));
    CHECK(first.retry_later == 1);
    REQUIRE(first.errors.size() == 1);
    CHECK(first.errors[0] == "command:command0: exit 4: no");
    // Not due again before the back-off (1 min), then 2 min after the second failure.
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T10:00:30Z")).errors.empty());
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T10:01:00Z")).retry_later == 1);
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T10:02:00Z")).errors.empty());
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T10:03:00Z")).failed == 1);
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T11:00:00Z")).errors.empty());
}

TEST_CASE("a command hook that hangs is killed at its deadline")
{
    auto start = std::chrono::steady_clock::now();
    auto r = alerts::run_command("sleep 30", "x", std::chrono::milliseconds(300));
    CHECK(r.timed_out);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("a command hook that exits without reading its stdin does not kill the caller")
{
    // 1 MiB does not fit the pipe: the write meets a closed reader (EPIPE). This test process
    // does not ignore SIGPIPE, so without the runner's own guard it would die here.
    std::string big(1 << 20, 'x');
    for (int i = 0; i < 3; ++i) {
        auto r = alerts::run_command("exit 4", big, std::chrono::milliseconds(5000));
        CHECK_FALSE(r.timed_out);
        CHECK(r.exit_code == 4);
    }
}

TEST_CASE("a webhook POSTs the JSON and is retried within the run after a 5xx")
{
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    int port = acceptor.local_endpoint().port();
    std::vector<std::string> requests;
    std::thread server([&] {
        for (int i = 0; i < 2; ++i) {
            asio::ip::tcp::socket socket(io);
            acceptor.accept(socket);
            asio::streambuf buf;
            asio::read_until(socket, buf, "\r\n\r\n");
            std::string head(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
            auto cl = head.find("Content-Length: ");
            std::size_t length = std::stoul(head.substr(cl + 16)); // our own test bytes
            std::size_t header_end = head.find("\r\n\r\n") + 4;
            if (head.size() < header_end + length) {
                asio::read(socket, buf, asio::transfer_exactly(header_end + length - head.size()));
            }
            requests.emplace_back(asio::buffers_begin(buf.data()), asio::buffers_end(buf.data()));
            std::string reply = i == 0 ? "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n"
                                       : "HTTP/1.1 204 No Content\r\n\r\n";
            asio::write(socket, asio::buffer(reply));
        }
    });
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    config::Config c = config::parse_config(
        "[[alerts.webhook]]\nname = \"ops\"\nurl = \"http://127.0.0.1:" + std::to_string(port) +
            "/hook\"\nheaders = { Authorization = \"Bearer t\" }\ntimeout = 5\n",
        "c.toml");
    add(db, "2026-11-20T10:00:00Z", "yahoo", "blocked");
    alerts::enqueue_alerts(db, c, at("2026-11-20T10:00:00Z"));
    auto r = alerts::dispatch_alerts(db, c, at("2026-11-20T10:00:00Z"));
    server.join();
    CHECK(r.sent == 1);
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].rfind("POST /hook HTTP/1.1\r\n", 0) == 0);
    CHECK(requests[1].find("Authorization: Bearer t\r\n") != std::string::npos);
    CHECK(requests[1].find("Content-Type: application/json\r\n") != std::string::npos);
    auto body = nlohmann::json::parse(requests[1].substr(requests[1].find("\r\n\r\n") + 4));
    CHECK(body["event"] == "episode_opened");
    CHECK(body["scope"] == "yahoo");
    // Sent: a second dispatch sends nothing.
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T10:05:00Z")).sent == 0);
}

TEST_CASE("a hostile scope never stops alerting, and one failing channel never stops another")
{
    TempDir dir;
    store::Database db(smtpprobe::test::test_history(dir, "h.db"));
    config::Config c = config::parse_config(
        "[[alerts.command]]\nname = \"broken\"\ncommand = \"echo down >&2; exit 4\"\n"
        "[[alerts.command]]\nname = \"file\"\ncommand = \"cat >> " +
            dir.file("events") + "\"\n",
        "c.toml");
    add(db, "2026-11-20T10:00:00Z",
        "host/mx\xff\xfe.attacker.example\x1b"
        "c",
        "blocked");
    add(db, "2026-11-20T10:01:00Z", "microsoft-consumer/eur", "blocked");
    alerts::EnqueueResult queued;
    CHECK_NOTHROW(queued = alerts::enqueue_alerts(db, c, at("2026-11-20T11:00:00Z")));
    CHECK(queued.new_events == 2);
    auto sent = alerts::dispatch_alerts(db, c, at("2026-11-20T11:00:00Z"));
    CHECK(sent.sent == 2);
    CHECK(sent.retry_later == 2);
    auto events = lines_of(test::read_file(dir.file("events")));
    REQUIRE(events.size() == 2);
    for (const std::string& line : events) {
        CHECK(line.find('\x1b') == std::string::npos);
        auto j = nlohmann::json::parse(line);
        CHECK(j["summary"].get<std::string>().find('\x1b') == std::string::npos);
    }
    CHECK(nlohmann::json::parse(events[1])["scope"] == "microsoft-consumer/eur");
    // Later runs go on too: nothing new, and the broken channel is retried without throwing.
    CHECK_NOTHROW(alerts::enqueue_alerts(db, c, at("2026-11-20T11:05:00Z")));
    CHECK(alerts::dispatch_alerts(db, c, at("2026-11-20T11:05:00Z")).sent == 0);
}
