// `smtpprobe serve` started by a test over a fresh database: the test fills the database
// (fill_dashboard_fixture, ingestion, ...) before start(), then talks HTTP to port().
// The server process is killed with its group when this goes out of scope.
#pragma once

#include "tests/support/child_process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::test {

class ServedDashboard {
public:
    ServedDashboard();
    const std::string& db_path() const { return m_db; }
    const TempDir& dir() const { return m_dir; }
    // Starts serve with extra arguments (after "serve"); returns false if it did not listen
    // within 10 s (the log is in log()).
    bool start(const std::vector<std::string>& extra = {});
    int port() const { return m_port; }
    Daemon& daemon() { return *m_daemon; }
    std::string log() const { return read_file(m_dir.file("serve.log")); }
    std::string url(const std::string& path) const
    {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    TempDir m_dir;
    std::string m_db;
    int m_port = 0;
    std::unique_ptr<Daemon> m_daemon;
};

} // namespace smtpprobe::test
