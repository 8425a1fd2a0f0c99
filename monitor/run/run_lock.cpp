// flock-based run lock (see run_lock.hpp).
#include "monitor/run/run_lock.hpp"

#include "monitor/store/pg_connection.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace smtpprobe::monitor {

namespace {

// Where the lock of a history lives. A file: beside it. A PostgreSQL history is shared by
// the fleet and each node runs its own ticks, so the lock is this node's: a file in the
// user's runtime folder (XDG_RUNTIME_DIR; systemd's RuntimeDirectory), else the state folder
// under HOME, named by a digest of the (password-free) location.
std::string lock_path(const std::string& db_path, const std::string& node)
{
    if (!store::pg::is_url(db_path)) {
        return db_path + ".lock";
    }
    std::uint64_t digest = 14695981039346656037ULL; // FNV-1a
    for (char c : store::pg::redact(db_path) + '\n' + node) {
        digest = (digest ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    char name[40];
    std::snprintf(name, sizeof name, "run-%016llx.lock", static_cast<unsigned long long>(digest));
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime != nullptr && *runtime == '/') {
        return std::string(runtime) + "/smtpprobe/" + name;
    }
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home == '/') {
        return std::string(home) + "/.local/state/smtpprobe/" + name;
    }
    return std::string("/tmp/smtpprobe-") + std::to_string(getuid()) + "-" + name;
}

} // namespace

RunLock::RunLock(const std::string& db_path, const std::string& node)
    : m_path(lock_path(db_path, node))
{
    std::error_code ec;
    auto parent = std::filesystem::path(m_path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    m_fd = open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (m_fd < 0) {
        throw std::runtime_error(m_path + ": cannot open the run lock: " + std::strerror(errno));
    }
    if (flock(m_fd, LOCK_EX | LOCK_NB) == 0) {
        m_held = true;
        // Who holds it, for the operator who wonders.
        std::string pid = std::to_string(getpid()) + "\n";
        if (ftruncate(m_fd, 0) == 0) {
            [[maybe_unused]] ssize_t n = pwrite(m_fd, pid.data(), pid.size(), 0);
        }
    } else if (errno != EWOULDBLOCK) {
        throw std::runtime_error(m_path + ": cannot lock: " + std::strerror(errno));
    }
}

RunLock::~RunLock()
{
    if (m_fd >= 0) {
        close(m_fd); // drops the flock
    }
}

} // namespace smtpprobe::monitor
