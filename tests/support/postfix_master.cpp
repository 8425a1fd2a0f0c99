// See postfix_instance.hpp. Starting, watching and stopping one instance's master(8): it runs
// in the foreground (-d) as our child, in its own process group, and is sent SIGTERM by the
// kernel if the test process dies (PR_SET_PDEATHSIG), so a crashed test leaves no Postfix.
#include "tests/support/postfix_instance.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace smtpprobe::test {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string daemon_directory()
{
    static const std::string dir = [] {
        RunResult result = run({"postconf", "-d", "-h", "daemon_directory"});
        std::string out = result.out.substr(0, result.out.find('\n'));
        return result.exit_code == 0 && !out.empty() ? out : std::string("/usr/lib/postfix/sbin");
    }();
    return dir;
}

// Connects to 127.0.0.1:port and reads the greeting; true once a "220 " line arrives.
bool banner_arrives(int port, Clock::time_point deadline)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        std::string got;
        while (got.size() < 4096 && Clock::now() < deadline) {
            pollfd pfd{fd, POLLIN, 0};
            if (poll(&pfd, 1, 200) <= 0) {
                continue;
            }
            char buffer[512];
            ssize_t n = read(fd, buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            got.append(buffer, static_cast<std::size_t>(n));
            if (got.find("\n") != std::string::npos) {
                ok = got.rfind("220 ", 0) == 0 || got.find("\n220 ") != std::string::npos;
                break;
            }
        }
        if (ok) {
            const char quit[] = "QUIT\r\n";
            [[maybe_unused]] ssize_t ignored = write(fd, quit, sizeof quit - 1);
        }
    }
    close(fd);
    return ok;
}

bool process_alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

} // namespace

// Instance dirs whose owning test process is gone (it crashed before its destructors ran):
// kill their master's group if one survived, and remove them.
void remove_stale_postfix_dirs()
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("smtpprobe-postfix-", 0) != 0) {
            continue;
        }
        const std::string owner = read_file(entry.path().string() + "/owner");
        if (owner.empty() || process_alive(std::atoi(owner.c_str()))) {
            continue;
        }
        const std::string pid_file = entry.path().string() + "/queue/pid/master.pid";
        const int master = std::atoi(read_file(pid_file).c_str());
        if (master > 1 &&
            read_file("/proc/" + std::to_string(master) + "/cmdline").find(entry.path().string()) !=
                std::string::npos) {
            kill(-master, SIGKILL);
            kill(master, SIGKILL);
        }
        std::error_code remove_ec;
        fs::remove_all(entry.path(), remove_ec);
    }
}

void PostfixInstance::start()
{
    if (running()) {
        return;
    }
    write_main_cf();
    m_port = free_tcp_port();
    write_master_cf();
    write_access_maps();
    // `postfix check` creates the queue directories with Postfix's owners and modes.
    RunResult check = run({"postfix", "-c", m_config_dir, "check"});
    if (check.exit_code != 0) {
        throw std::runtime_error("postfix_instance: postfix check failed: " + check.err +
                                 check.out + log_text());
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (attempt > 0) {
            m_port = free_tcp_port();
            write_master_cf();
        }
        if (spawn_master_and_wait()) {
            return;
        }
    }
    throw std::runtime_error("postfix_instance: no free port after 5 attempts");
}

bool PostfixInstance::spawn_master_and_wait()
{
    const std::string master = daemon_directory() + "/master";
    const std::string out_path = m_root + "/master.out";
    const pid_t parent = getpid();
    const std::size_t log_size_before = log_text().size();
    pid_t pid = fork();
    if (pid < 0) {
        throw std::runtime_error("postfix_instance: fork failed");
    }
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) {
            _exit(1);
        }
        int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null_in = open("/dev/null", O_RDONLY);
        dup2(null_in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(master.c_str(), "master", "-c", m_config_dir.c_str(), "-d",
              static_cast<char*>(nullptr));
        std::fprintf(stderr, "exec %s: %s\n", master.c_str(), std::strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    m_master_pid = pid;
    const auto deadline = Clock::now() + m_config.start_timeout;
    while (Clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            m_master_pid = -1;
            kill(-pid, SIGKILL);
            const std::string log = log_text().substr(log_size_before);
            if (log.find("Address already in use") != std::string::npos) {
                return false; // another process took the port: the caller retries
            }
            throw std::runtime_error("postfix_instance: master exited during start: " + log +
                                     read_file(out_path));
        }
        if (banner_arrives(m_port, deadline)) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop();
    throw std::runtime_error(
        "postfix_instance: no 220 banner on port " + std::to_string(m_port) +
        " within the start timeout; log: " + log_text().substr(log_size_before));
}

void PostfixInstance::stop()
{
    if (m_master_pid <= 0) {
        return;
    }
    const pid_t pid = m_master_pid;
    m_master_pid = -1;
    // What `postfix stop` does: SIGTERM to the master, which terminates its daemons.
    kill(pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    bool reaped = false;
    while (!reaped && Clock::now() < deadline) {
        int status = 0;
        reaped = waitpid(pid, &status, WNOHANG) == pid;
        if (!reaped) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    // Whatever is left in the instance's process group (a daemon mid-session).
    kill(-pid, SIGKILL);
    if (!reaped) {
        waitpid(pid, nullptr, 0);
    }
}

void PostfixInstance::reload()
{
    // What `postfix reload` does: SIGHUP to the master, which re-reads main.cf/master.cf.
    if (m_master_pid > 0) {
        kill(m_master_pid, SIGHUP);
    }
}

} // namespace smtpprobe::test
