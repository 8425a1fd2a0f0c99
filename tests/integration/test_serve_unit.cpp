// Starts the dashboard the way deploy/systemd/smtpprobe.service does: its ExecStartPre and
// ExecStart lines parsed from the unit file, run with the same flags and paths, except the
// paths that need root or a fixed port (binary, /var/lib/smtpprobe/history.db,
// /etc/smtpprobe/config.toml, 127.0.0.1:8025), which become the built binary, a temp db, a copy
// of the example config and a free port. As root it runs the commands as an unprivileged user
// with no_new_privs, like the unit's User= and NoNewPrivileges=. Then fetches /api/status.
// Skips with a reason while the binary has no `serve` subcommand.
#include "monitor/store/database.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/skip.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

using namespace smtpprobe::test;
namespace fs = std::filesystem;

namespace {

const std::string k_unit = std::string(SMTPPROBE_SOURCE_DIR) + "/deploy/systemd/smtpprobe.service";

// The words of every "KEY=" line of a unit file ("-" failure-ignore prefix kept on word 0).
std::vector<std::vector<std::string>> unit_commands(const std::string& key)
{
    std::vector<std::vector<std::string>> commands;
    std::istringstream in(read_file(k_unit));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + "=", 0) != 0) {
            continue;
        }
        std::istringstream words(line.substr(key.size() + 1));
        std::vector<std::string> argv;
        for (std::string word; words >> word;) {
            argv.push_back(word);
        }
        commands.push_back(argv);
    }
    return commands;
}

// HTTP/1.1 GET (Connection: close) on 127.0.0.1:port, bounded to 1 MiB and 10 seconds; the raw
// response.
std::string http_get(int port, const std::string& path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string response;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        const std::string request =
            "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size())) {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (response.size() < (1u << 20) && std::chrono::steady_clock::now() < deadline) {
                pollfd pfd{fd, POLLIN, 0};
                if (poll(&pfd, 1, 200) <= 0) {
                    continue;
                }
                char buffer[8192];
                ssize_t n = recv(fd, buffer, sizeof buffer, 0);
                if (n <= 0) {
                    break;
                }
                response.append(buffer, static_cast<std::size_t>(n));
            }
        }
    }
    close(fd);
    return response;
}

} // namespace

TEST_CASE("the serve unit's command line serves /api/status")
{
    const RunResult help = run_smtpprobe({"--help"});
    if (help.out.find("\n  serve ") == std::string::npos) {
        SMTPPROBE_SKIP("this build has no 'serve' subcommand yet (web layer not merged)");
    }
    const auto starts = unit_commands("ExecStart");
    REQUIRE(starts.size() == 1);
    TempDir dir;
    const int port = free_tcp_port();
    const std::string example = std::string(SMTPPROBE_SOURCE_DIR) + "/deploy/config.example.toml";
    write_file(dir.file("config.toml"), fs::exists(example) ? read_file(example) : "");
    // What the unit names, and what the test uses instead (nothing else may differ).
    const std::map<std::string, std::string> substitutions{
        {"/usr/bin/smtpprobe", SMTPPROBE_BINARY},
        {"/var/lib/smtpprobe/history.db", dir.file("history.db")},
        {"/etc/smtpprobe/config.toml", dir.file("config.toml")},
        {"127.0.0.1:8025", "127.0.0.1:" + std::to_string(port)},
    };
    std::vector<std::string> prefix;
    if (is_root()) {
        // The unit's User= (unprivileged) and NoNewPrivileges=yes.
        const passwd* nobody = getpwnam("nobody");
        REQUIRE(nobody != nullptr);
        fs::permissions(dir.path(), fs::perms::all);
        prefix = {"setpriv", "--reuid=" + std::to_string(nobody->pw_uid),
                  "--regid=" + std::to_string(nobody->pw_gid), "--clear-groups", "--no-new-privs"};
    }
    auto localize = [&](std::vector<std::string> argv) {
        std::size_t substituted = 0;
        for (std::string& word : argv) {
            if (auto it = substitutions.find(word); it != substitutions.end()) {
                word = it->second;
                ++substituted;
            }
        }
        argv.insert(argv.begin(), prefix.begin(), prefix.end());
        return std::make_pair(argv, substituted);
    };

    // ExecStartPre lines first, as systemd runs them ("-": failure ignored).
    for (std::vector<std::string> pre : unit_commands("ExecStartPre")) {
        const bool may_fail = !pre.empty() && pre[0].rfind('-', 0) == 0;
        if (may_fail) {
            pre[0].erase(0, 1);
        }
        const RunResult result = run(localize(pre).first);
        if (!may_fail) {
            CHECK_MESSAGE(result.exit_code == 0, result.err);
        }
    }
    if (!fs::exists(dir.file("history.db"))) {
        MESSAGE("the unit's ExecStartPre did not create the history; creating it here");
        smtpprobe::store::Database db(dir.file("history.db"));
    }
    if (is_root()) {
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            fs::permissions(entry.path(), fs::perms::all);
        }
    }

    const auto [argv, substituted] = localize(starts[0]);
    CHECK(substituted == substitutions.size()); // the unit still names every path we replace
    Daemon serve(argv, dir.file("serve.log"));
    REQUIRE_MESSAGE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(20)),
                    read_file(dir.file("serve.log")));
    const std::string response = http_get(port, "/api/status");
    CAPTURE(response.substr(0, 400));
    CHECK(response.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(response.find("application/json") != std::string::npos);
    const std::size_t body = response.find("\r\n\r\n");
    REQUIRE(body != std::string::npos);
    CHECK(response.substr(body + 4, 1) == "{");
}
