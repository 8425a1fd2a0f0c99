// `smtpprobe serve` as a process: token rules, refusing a public address without a token,
// request limits, a slow client cut off, graceful shutdown on SIGTERM, and reading while a
// writer holds the database.
#include "monitor/store/database.hpp"
#include "tests/support/dashboard_fixture.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/served_dashboard.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

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
    auto with_cookie = http_get(server.port(), "/api/episodes",
                                {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    CHECK(with_cookie.status == 200);
    CHECK(http_get(server.port(), "/metrics", {{"Cookie", "smtpprobe_token=nope"}}).status == 401);
}

TEST_CASE("serve refuses a non-loopback address without a token, and bad options")
{
    TempDir dir;
    fill_dashboard_fixture(dir.file("h.db"));
    struct Case {
        std::vector<std::string> args;
        int exit_code;
    };
    const Case cases[] = {
        {{"serve", "--listen", "0.0.0.0:1"}, 2},
        {{"serve", "--listen", "[::]:1"}, 2},
        {{"serve", "--listen", "127.0.0.1"}, 2},
        {{"serve", "--listen", "127.0.0.1:99999"}, 2},
        {{"serve", "--token", "short"}, 2},
        {{"serve", "--threads", "0"}, 2},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"--db", dir.file("h.db")};
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
    std::string body_request = "GET /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
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
    const std::string request = "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " +
                                std::string(40, 'z') + "\r\n\r\n";
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
