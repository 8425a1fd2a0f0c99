// A test's own `smtpprobe serve` (see served_dashboard.hpp).
#include "tests/support/served_dashboard.hpp"

#include "monitor/store/database.hpp"
#include "tests/support/test_history.hpp"

namespace smtpprobe::test {

ServedDashboard::ServedDashboard() : m_db(smtpprobe::test::test_history(m_dir, "history.db"))
{
    // Create and migrate the database, as `smtpprobe run` would.
    store::Database db(m_db);
}

bool ServedDashboard::start(const std::vector<std::string>& extra)
{
    m_port = free_tcp_port();
    std::vector<std::string> argv{
        SMTPPROBE_BINARY, "--db", m_db, "serve", "--listen", "127.0.0.1:" + std::to_string(m_port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    m_daemon = std::make_unique<Daemon>(argv, m_dir.file("serve.log"));
    return wait_for_tcp("127.0.0.1", m_port, std::chrono::milliseconds(10'000));
}

} // namespace smtpprobe::test
