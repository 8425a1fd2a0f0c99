// Runs and supervises real processes for tests: the smtpprobe binary under test, and peers
// (postfix, smtp-sink, dnsmasq, chromium). Every child is bounded in time and killed (with
// its process group) when its owner goes out of scope, so a failing test leaves no server.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace smtpprobe::test {

struct RunResult {
    int exit_code = -1; // -1 when killed by the timeout or a signal
    bool timed_out = false;
    std::string out;
    std::string err;
};

struct RunOptions {
    std::string stdin_data;
    std::chrono::milliseconds timeout{60'000};
    std::map<std::string, std::string> env; // added to (or replacing in) the inherited env
    std::string cwd;
};

// Runs argv[0] (searched in PATH) to completion, capturing stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// Runs the smtpprobe binary under test with args.
RunResult run_smtpprobe(const std::vector<std::string>& args, const RunOptions& options = {});

// A long-running child (a server). Its stdout/stderr go to log_path (or /dev/null).
class Daemon {
public:
    Daemon(const std::vector<std::string>& argv, const std::string& log_path = "");
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;
    pid_t pid() const { return m_pid; }
    bool running();
    // SIGTERM, then SIGKILL after grace; waits for the child.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

private:
    pid_t m_pid = -1;
};

// Waits until something accepts TCP connections on host:port, or the timeout passes.
bool wait_for_tcp(const std::string& host, int port, std::chrono::milliseconds timeout);

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_tcp_port();

// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

// Whole file as a string (empty if unreadable); writes a file, creating nothing else.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

// Whether we may start system servers (postfix needs root); tests that need it skip otherwise.
bool is_root();

} // namespace smtpprobe::test
