// flock-based run lock (see run_lock.hpp).
#include "monitor/run/run_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace smtpprobe::monitor {

RunLock::RunLock(const std::string& db_path) : m_path(db_path + ".lock")
{
    std::error_code ec;
    auto parent = std::filesystem::path(m_path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    m_fd = open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
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
