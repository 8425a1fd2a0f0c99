// Shell commands for alert channels (see command_runner.hpp).
#include "monitor/alerts/command_runner.hpp"

#include "probe/printable.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

namespace smtpprobe::alerts {

namespace {

constexpr std::size_t k_stderr_limit = 4096;

using Clock = std::chrono::steady_clock;

// write() that gives EPIPE instead of raising SIGPIPE, whatever the process's disposition (the
// smtpprobe program ignores SIGPIPE, a program or test linking this library may not): SIGPIPE
// is blocked in this thread around the write, and the one the write raised is consumed.
ssize_t write_without_sigpipe(int fd, const char* data, std::size_t size)
{
    sigset_t pipe_only;
    sigset_t before;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &before);
    ssize_t written = write(fd, data, size);
    int saved_errno = errno;
    if (written < 0 && saved_errno == EPIPE) {
        timespec no_wait{0, 0};
        while (sigtimedwait(&pipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    errno = saved_errno;
    return written;
}

} // namespace

CommandResult run_command(const std::string& command, const std::string& stdin_data,
                          std::chrono::milliseconds timeout)
{
    CommandResult result;
    int in_pipe[2];
    int err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(in_pipe[0]);
        close(in_pipe[1]);
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    pid_t pid = fork();
    if (pid < 0) {
        result.error = std::string("fork: ") + std::strerror(errno);
        for (int fd : {in_pipe[0], in_pipe[1], err_pipe[0], err_pipe[1]}) {
            close(fd);
        }
        return result;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in_pipe[0], 0);
        dup2(err_pipe[1], 2);
        int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) {
            dup2(null_fd, 1);
        }
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    setpgid(pid, pid);
    close(in_pipe[0]);
    close(err_pipe[1]);
    int in_fd = in_pipe[1];
    int err_fd = err_pipe[0];
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
    fcntl(err_fd, F_SETFL, O_NONBLOCK);
    std::size_t written = 0;
    if (stdin_data.empty()) {
        close(in_fd);
        in_fd = -1;
    }
    std::string err;
    auto deadline = Clock::now() + timeout;
    while (err_fd >= 0 || in_fd >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            break;
        }
        pollfd fds[2];
        int n = 0;
        if (in_fd >= 0) {
            fds[n++] = {in_fd, POLLOUT, 0};
        }
        if (err_fd >= 0) {
            fds[n++] = {err_fd, POLLIN, 0};
        }
        if (poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count())) < 0 &&
            errno != EINTR) {
            break;
        }
        for (int i = 0; i < n; ++i) {
            if (fds[i].fd == in_fd && fds[i].revents) {
                ssize_t w = write_without_sigpipe(in_fd, stdin_data.data() + written,
                                                  stdin_data.size() - written);
                if (w > 0) {
                    written += static_cast<std::size_t>(w);
                }
                if ((w < 0 && errno != EAGAIN) || written == stdin_data.size()) {
                    close(in_fd);
                    in_fd = -1;
                }
            } else if (fds[i].fd == err_fd && fds[i].revents) {
                char buf[1024];
                ssize_t r = read(err_fd, buf, sizeof buf);
                if (r > 0) {
                    if (err.size() < k_stderr_limit) {
                        err.append(buf, static_cast<std::size_t>(r));
                    }
                } else if (r == 0 || errno != EAGAIN) {
                    close(err_fd);
                    err_fd = -1;
                }
            }
        }
    }
    if (in_fd >= 0) {
        close(in_fd);
    }
    if (err_fd >= 0) {
        close(err_fd);
    }
    int status = 0;
    while (true) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) {
            break;
        }
        if (result.timed_out || Clock::now() >= deadline) {
            // The command (or something it started) outlived its deadline: end the group.
            result.timed_out = true;
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(10'000);
    }
    if (result.timed_out) {
        result.error = "timed out after " + std::to_string(timeout.count() / 1000) + " s";
        return result;
    }
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
        if (result.exit_code != 0) {
            while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) {
                err.pop_back();
            }
            result.error = "exit " + std::to_string(result.exit_code) +
                           (err.empty() ? "" : ": " + printable(err, 300));
        }
    } else {
        result.error = "killed by signal " + std::to_string(WTERMSIG(status));
    }
    return result;
}

} // namespace smtpprobe::alerts
