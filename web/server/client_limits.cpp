// See client_limits.hpp.
#include "web/server/client_limits.hpp"

namespace smtpprobe::web {

bool ClientLimits::take(std::map<std::string, std::size_t>& counts, const std::string& client,
                        std::size_t limit)
{
    std::size_t& count = counts[client];
    if (count >= limit) {
        if (count == 0) {
            counts.erase(client);
        }
        return false;
    }
    ++count;
    return true;
}

void ClientLimits::give(std::map<std::string, std::size_t>& counts, const std::string& client)
{
    auto it = counts.find(client);
    if (it != counts.end() && --it->second == 0) {
        counts.erase(it);
    }
}

bool ClientLimits::take_connection(const std::string& client)
{
    std::lock_guard lock(m_mutex);
    if (!take(m_connections, client, m_settings.connections_per_client)) {
        return false;
    }
    ++m_connection_total;
    return true;
}

void ClientLimits::give_connection(const std::string& client)
{
    std::lock_guard lock(m_mutex);
    give(m_connections, client);
    if (m_connection_total > 0) {
        --m_connection_total;
    }
}

std::size_t ClientLimits::connections()
{
    std::lock_guard lock(m_mutex);
    return m_connection_total;
}

bool ClientLimits::take_request(const std::string& client)
{
    std::lock_guard lock(m_mutex);
    return take(m_requests, client, m_settings.requests_per_client);
}

void ClientLimits::give_request(const std::string& client)
{
    std::lock_guard lock(m_mutex);
    give(m_requests, client);
}

bool ClientLimits::take_bytes(std::size_t bytes)
{
    std::lock_guard lock(m_mutex);
    if (m_bytes + bytes > m_settings.response_budget) {
        return false;
    }
    m_bytes += bytes;
    return true;
}

void ClientLimits::give_bytes(std::size_t bytes)
{
    std::lock_guard lock(m_mutex);
    m_bytes -= bytes < m_bytes ? bytes : m_bytes;
}

std::size_t ClientLimits::bytes_in_flight()
{
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

} // namespace smtpprobe::web
