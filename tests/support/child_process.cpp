// See child_process.hpp. Plain POSIX: fork/exec with pipes and a poll loop bounded by a
// deadline; children get their own process group so a kill reaches their children too.
#include "tests/support/child_process.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace smtpprobe::test {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> c_argv(const std::vector<std::string>& argv)
{
    std::vector<char*> out;
    for (const std::string& a : argv) {
        out.push_back(const_cast<char*>(a.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const RunOptions& options)
{
    setpgid(0, 0);
    for (const auto& [key, value] : options.env) {
        setenv(key.c_str(), value.c_str(), 1);
    }
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
        _exit(127);
    }
    std::vector<char*> args = c_argv(argv);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
}

} // namespace

RunResult run(const std::vector<std::string>& argv, const RunOptions& options)
{
    int in[2], out[2], err[2];
    if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
            close(fd);
        }
        exec_child(argv, options);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    RunResult result;
    std::size_t written = 0;
    if (options.stdin_data.empty()) {
        close(in[1]);
        in[1] = -1;
    }
    auto deadline = Clock::now() + options.timeout;
    int open_outputs = 2;
    while (open_outputs > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(-pid, SIGKILL);
            break;
        }
        pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        int n = poll(fds, in[1] >= 0 ? 3 : 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        char buffer[65536];
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
                if (got > 0) {
                    (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(got));
                } else {
                    close(fds[i].fd);
                    (i == 0 ? out[0] : err[0]) = -1;
                    --open_outputs;
                }
            }
        }
        if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t put = write(in[1], options.stdin_data.data() + written,
                                options.stdin_data.size() - written);
            if (put > 0) {
                written += static_cast<size_t>(put);
            }
            if (put < 0 || written == options.stdin_data.size()) {
                close(in[1]);
                in[1] = -1;
            }
        }
    }
    for (int fd : {in[1], out[0], err[0]}) {
        if (fd >= 0) {
            close(fd);
        }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

RunResult run_smtpprobe(const std::vector<std::string>& args, const RunOptions& options)
{
    std::vector<std::string> argv{SMTPPROBE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, options);
}

Daemon::Daemon(const std::vector<std::string>& argv, const std::string& log_path)
{
    m_pid = fork();
    if (m_pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (m_pid == 0) {
        int fd = open(log_path.empty() ? "/dev/null" : log_path.c_str(),
                      O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null_in = open("/dev/null", O_RDONLY);
        dup2(null_in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        exec_child(argv, {});
    }
    setpgid(m_pid, m_pid);
}

Daemon::~Daemon()
{
    stop();
}

bool Daemon::running()
{
    if (m_pid <= 0) {
        return false;
    }
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        return false;
    }
    return true;
}

void Daemon::stop(std::chrono::milliseconds grace)
{
    if (m_pid <= 0) {
        return;
    }
    kill(-m_pid, SIGTERM);
    auto deadline = Clock::now() + grace;
    while (Clock::now() < deadline) {
        int status = 0;
        if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
            kill(-m_pid, SIGKILL); // any grandchildren left in the group
            m_pid = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(-m_pid, SIGKILL);
    waitpid(m_pid, nullptr, 0);
    m_pid = -1;
}

bool wait_for_tcp(const std::string& host, int port, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        int fd = socket(host.find(':') != std::string::npos ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        bool ok = false;
        if (host.find(':') != std::string::npos) {
            sockaddr_in6 addr{};
            addr.sin6_family = AF_INET6;
            addr.sin6_port = htons(static_cast<uint16_t>(port));
            inet_pton(AF_INET6, host.c_str(), &addr.sin6_addr);
            ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        } else {
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(static_cast<uint16_t>(port));
            inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
            ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        }
        close(fd);
        if (ok) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

int free_tcp_port()
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    int port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

TempDir::TempDir()
{
    char pattern[] = "/tmp/smtpprobe-test-XXXXXX";
    const char* made = mkdtemp(pattern);
    if (!made) {
        throw std::runtime_error("mkdtemp failed");
    }
    m_path = made;
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& content)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

bool is_root()
{
    return geteuid() == 0;
}

} // namespace smtpprobe::test
