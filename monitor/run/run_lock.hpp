// The cron tick's lock: an flock on "<db>.lock" beside the database (for a PostgreSQL
// history, shared by a fleet: a lock file of this node's, run_lock.cpp), so two `smtpprobe run`
// of one node never overlap (a slow probe batch and the next minute's cron). Non-blocking: the
// second run learns at once that it must not start. Released when the object dies (or the process
// does; the kernel drops flocks of dead processes, so there is no stale lock to clean up).
#pragma once

#include <string>

namespace smtpprobe::monitor {

class RunLock {
public:
    // Tries to take the lock; held() tells whether it did. Throws std::runtime_error when the
    // lock file cannot be opened (folder missing, permissions).
    // node: this node's name; it keys the lock of a shared (PostgreSQL) history, so nodes of
    // one fleet that share a host (tests, containers) tick independently.
    explicit RunLock(const std::string& db_path, const std::string& node = "");
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    bool held() const { return m_held; }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    int m_fd = -1;
    bool m_held = false;
};

} // namespace smtpprobe::monitor
