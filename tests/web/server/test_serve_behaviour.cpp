// `smtpprobe serve` as a process: token rules, refusing a public address without a token,
// request limits, a slow client cut off, graceful shutdown on SIGTERM, and reading while a
// writer holds the database.
#include "monitor/store/database.hpp"
#include "tests/support/dashboard_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"
#include "tests/support/test_history.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace smtpprobe::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* k_token = "s3cret-token-for-tests-0123456789";

int connect_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

// Whether the peer closed fd (EOF or reset) within wait.
bool peer_closed(int fd, std::chrono::milliseconds wait)
{
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0) {
        return false;
    }
    char buffer[4096];
    ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    return n <= 0 || (p.revents & (POLLHUP | POLLERR));
}

} // namespace

TEST_CASE("a token is required when given: bearer header, ?token= then cookie")
{
    ServedDashboard server;
    fill_dashboard_fixture(server.db_path());
    REQUIRE_MESSAGE(server.start({"--token", k_token}), server.log());
    CHECK(http_get(server.port(), "/api/status").status == 401);
    CHECK(http_get(server.port(), "/").status == 401);
    CHECK(http_get(server.port(), "/api/status", {{"Authorization", "Bearer wrong"}}).status ==
          401);
    CHECK(http_get(server.port(), "/api/status",
                   {{"Authorization", std::string("Bearer ") + k_token}})
              .status == 200);
    auto with_query = http_get(server.port(), std::string("/?token=") + k_token);
    CHECK(with_query.status == 200);
    std::string cookie = with_query.headers["set-cookie"];
    CHECK(cookie.find("HttpOnly") != std::string::npos);
    CHECK(cookie.find("SameSite=Strict") != std::string::npos);
    auto with_cookie =
        http_get(server.port(), "/api/episodes", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    CHECK(with_cookie.status == 200);
    CHECK(http_get(server.port(), "/metrics", {{"Cookie", "smtpprobe_token=nope"}}).status == 401);
}

TEST_CASE("serve refuses a non-loopback address without a token, and bad options")
{
    TempDir dir;
    fill_dashboard_fixture(smtpprobe::test::test_history(dir, "h.db"));
    struct Case {
        std::vector<std::string> args;
        int exit_code;
    };
    const Case cases[] = {
        {{"serve", "--listen", "0.0.0.0:1"}, 2}, {{"serve", "--listen", "[::]:1"}, 2},
        {{"serve", "--listen", "127.0.0.1"}, 2}, {{"serve", "--listen", "127.0.0.1:99999"}, 2},
        {{"serve", "--token", "short"}, 2},      {{"serve", "--threads", "0"}, 2},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"--db", smtpprobe::test::test_history(dir, "h.db")};
        args.insert(args.end(), c.args.begin(), c.args.end());
        RunOptions options;
        options.timeout = 10s;
        auto result = run_smtpprobe(args, options);
        CAPTURE(result.err);
        CHECK(result.exit_code == c.exit_code);
        CHECK(!result.err.empty());
    }
    RunOptions options;
    options.timeout = 10s;
    auto missing = run_smtpprobe({"--db", dir.file("absent.db"), "serve"}, options);
    CHECK(missing.exit_code == 3);
    CHECK(missing.err.find("absent.db") != std::string::npos);
}

TEST_CASE("oversized headers get 431, bodies 413, garbage 400")
{
    ServedDashboard server;
    REQUIRE_MESSAGE(server.start(), server.log());
    auto big = http_get(server.port(), "/api/status", {{"X-Filler", std::string(20000, 'a')}});
    CHECK(big.status == 431);
    std::string body_request =
        "GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
        std::string(100000, 'b');
    CHECK(raw_exchange(server.port(), body_request, 5s).rfind("HTTP/1.1 413", 0) == 0);
    CHECK(raw_exchange(server.port(), "BLAH\x01 / HTTP/9\r\n\r\n", 5s).rfind("HTTP/1.1 400", 0) ==
          0);
    // Still serving afterwards.
    CHECK(http_get(server.port(), "/api/status").status == 200);
}

TEST_CASE("a client sending one byte per second is cut off at the request deadline")
{
    ServedDashboard server;
    REQUIRE_MESSAGE(server.start({"--request-timeout", "3"}), server.log());
    int fd = connect_loopback(server.port());
    REQUIRE(fd >= 0);
    const std::string request =
        "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(40, 'z') +
        "\r\n\r\n";
    auto start = std::chrono::steady_clock::now();
    bool closed = false;
    for (char c : request) {
        if (send(fd, &c, 1, MSG_NOSIGNAL) != 1 || peer_closed(fd, 1000ms)) {
            closed = true;
            break;
        }
        if (std::chrono::steady_clock::now() - start > 10s) {
            break;
        }
    }
    auto took = std::chrono::steady_clock::now() - start;
    close(fd);
    CHECK(closed);
    CHECK(took >= 2500ms);
    CHECK(took < 6s);
    CHECK(http_get(server.port(), "/api/status").status == 200);
}

TEST_CASE("SIGTERM drains: an idle keep-alive connection is closed and serve exits 0")
{
    ServedDashboard server;
    REQUIRE_MESSAGE(server.start(), server.log());
    int fd = connect_loopback(server.port());
    REQUIRE(fd >= 0);
    std::string request = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size()));
    char buffer[8192];
    pollfd p{fd, POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);
    REQUIRE(recv(fd, buffer, sizeof buffer, 0) > 0); // the answer; the connection stays open
    pid_t pid = server.daemon().pid();
    kill(pid, SIGTERM);
    CHECK(peer_closed(fd, 3000ms));
    close(fd);
    int status = -1;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(server.log().find("stopped") != std::string::npos);
}

TEST_CASE("serve answers while a writer holds a transaction, and sees committed rows")
{
    ServedDashboard server;
    fill_dashboard_fixture(server.db_path());
    REQUIRE_MESSAGE(server.start(), server.log());
    smtpprobe::store::Database writer(server.db_path());
    {
        smtpprobe::store::Transaction tx(writer);
        writer.exec("INSERT INTO note (time, text) VALUES ('2026-03-14T00:00:00Z', 'during')");
        // Uncommitted: readers still answer (WAL), without the row.
        auto reply = http_get(server.port(), "/api/notes");
        CHECK(reply.status == 200);
        CHECK(reply.body.find("during") == std::string::npos);
        tx.commit();
    }
    auto after = http_get(server.port(), "/api/notes");
    CHECK(after.status == 200);
    CHECK(after.body.find("during") != std::string::npos);
}

TEST_CASE("a rebinding Host is refused with 421, with or without a token")
{
    ServedDashboard plain;
    fill_dashboard_fixture(plain.db_path());
    REQUIRE_MESSAGE(plain.start({"--allow-host", "dash.example.org"}), plain.log());
    const int port = plain.port();
    const std::string here = "127.0.0.1:" + std::to_string(port);
    for (const char* path : {"/api/status", "/", "/metrics", "/api/episodes"}) {
        CAPTURE(path);
        auto evil = http_get(port, path, {{"Host", "evil.example"}});
        CHECK(evil.status == 421);
        CHECK(evil.body.find("overview") == std::string::npos);
        CHECK(http_get(port, path, {{"Host", "evil.example:" + std::to_string(port)}}).status ==
              421);
        CHECK(http_get(port, path, {{"Host", "127.0.0.1.evil.example"}}).status == 421);
        CHECK(http_get(port, path, {{"Host", here}}).status == 200);
        CHECK(http_get(port, path, {{"Host", "localhost:" + std::to_string(port)}}).status == 200);
        CHECK(http_get(port, path, {{"Host", "DASH.example.org."}}).status == 200);
    }
    CHECK(raw_exchange(port, "GET /api/status HTTP/1.1\r\nConnection: close\r\n\r\n", 5s)
              .rfind("HTTP/1.1 421", 0) == 0);

    ServedDashboard guarded;
    fill_dashboard_fixture(guarded.db_path());
    REQUIRE_MESSAGE(guarded.start({"--token", k_token}), guarded.log());
    const std::map<std::string, std::string> bearer{
        {"Authorization", std::string("Bearer ") + k_token}, {"Host", "evil.example"}};
    CHECK(http_get(guarded.port(), "/api/status", bearer).status == 421);
    CHECK(http_get(guarded.port(), std::string("/?token=") + k_token, {{"Host", "evil.example"}})
              .headers.count("set-cookie") == 0);
}

TEST_CASE("bad parameters are refused everywhere: NUL, dates that do not exist, unknown names")
{
    ServedDashboard server;
    fill_dashboard_fixture(server.db_path());
    {
        smtpprobe::store::Database db(server.db_path());
        db.exec("INSERT INTO episode (ip, scope, opened, reason) VALUES ('192.0.2.25', "
                "'host/mx<1>.example', '2026-03-02T00:00:00Z', 'blocked')");
    }
    REQUIRE_MESSAGE(server.start(), server.log());
    const int port = server.port();
    for (const char* target :
         {"/api/episodes?ip=192.0.2.25%00", "/api/episodes?scope=a%00",
          "/api/timeline?from=2026-02-31", "/api/episodes?to=2026-04-31T00:00Z", "/metrics?x=1",
          "/metrics?format=%00", "/api/status?x=1", "/api/probes/1?x=1",
          "/api/timeline?ip=192.0.2.25&ipp=1"}) {
        CAPTURE(target);
        auto reply = http_get(port, target);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("\"error\"") != std::string::npos);
    }
    // A scope holding '<' (a host name as a peer wrote it) is queryable, as the dashboard asks.
    auto odd = http_get(port, "/api/episodes?scope=host%2Fmx%3C1%3E.example");
    CHECK(odd.status == 200);
    CHECK(odd.body.find("host/mx<1>.example") != std::string::npos);
    CHECK(http_get(port, "/metrics").status == 200);
}

TEST_CASE("serve sheds slow clients when full and answers the normal one")
{
    ServedDashboard server;
    REQUIRE_MESSAGE(server.start({"--max-connections", "16", "--header-timeout", "30"}),
                    server.log());
    // 40 connections that never send a request: the server keeps at most 16 and sheds the
    // longest-waiting one for each newcomer; a normal request still gets its answer.
    std::vector<int> idle;
    for (int i = 0; i < 40; ++i) {
        int fd = connect_loopback(server.port());
        REQUIRE(fd >= 0);
        idle.push_back(fd);
    }
    std::this_thread::sleep_for(200ms);
    int shed = 0;
    for (int fd : idle) {
        shed += peer_closed(fd, 50ms) ? 1 : 0;
    }
    auto start = std::chrono::steady_clock::now();
    CHECK(http_get(server.port(), "/api/status").status == 200);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    for (int fd : idle) {
        close(fd);
    }
    CHECK(shed >= 40 - 16);
}
