// The server's per-client and whole-server limits that are not per connection: how many
// connections one client address may hold, how many of its requests may be answered at once,
// and how many bytes of answers may be waiting to be written in all (a client that never
// reads keeps its answer in memory until the write deadline passes). Thread-safe; every
// acquisition is released by the RAII tickets below, whatever ends the session.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace smtpprobe::web {

struct ClientLimitSettings {
    std::size_t connections_per_client = 64;
    std::size_t requests_per_client = 8;            // being answered or written at once
    std::size_t response_budget = 64 * 1024 * 1024; // bytes of bodies being written, all clients
    std::size_t small_response = 64 * 1024;         // bodies up to this always pass the budget
};

class ClientLimits {
public:
    explicit ClientLimits(ClientLimitSettings settings) : m_settings(settings) {}

    // Takes a slot of kind for client; false when the client is at its limit.
    bool take_connection(const std::string& client);
    void give_connection(const std::string& client);
    bool take_request(const std::string& client);
    void give_request(const std::string& client);
    // Reserves bytes of the response budget; false when they do not fit now.
    bool take_bytes(std::size_t bytes);
    void give_bytes(std::size_t bytes);

    std::size_t bytes_in_flight();
    // Connections held now, all clients (taken and not given back).
    std::size_t connections();

private:
    static bool take(std::map<std::string, std::size_t>& counts, const std::string& client,
                     std::size_t limit);
    static void give(std::map<std::string, std::size_t>& counts, const std::string& client);

    ClientLimitSettings m_settings;
    std::mutex m_mutex;
    std::map<std::string, std::size_t> m_connections;
    std::map<std::string, std::size_t> m_requests;
    std::size_t m_bytes = 0;
    std::size_t m_connection_total = 0;
};

// Holds one request slot of a client for its scope.
class RequestTicket {
public:
    RequestTicket(ClientLimits& limits, const std::string& client)
        : m_limits(limits), m_client(client), m_held(limits.take_request(client))
    {
    }
    ~RequestTicket()
    {
        if (m_held) {
            m_limits.give_request(m_client);
        }
    }
    RequestTicket(const RequestTicket&) = delete;
    RequestTicket& operator=(const RequestTicket&) = delete;
    bool held() const { return m_held; }

private:
    ClientLimits& m_limits;
    const std::string& m_client;
    bool m_held;
};

// Holds bytes of the response budget for its scope (always held for a small body).
class BudgetTicket {
public:
    BudgetTicket(ClientLimits& limits, std::size_t bytes, std::size_t small)
        : m_limits(limits), m_bytes(bytes > small ? bytes : 0),
          m_held(m_bytes == 0 || limits.take_bytes(m_bytes))
    {
    }
    ~BudgetTicket()
    {
        if (m_held && m_bytes > 0) {
            m_limits.give_bytes(m_bytes);
        }
    }
    BudgetTicket(const BudgetTicket&) = delete;
    BudgetTicket& operator=(const BudgetTicket&) = delete;
    bool held() const { return m_held; }

private:
    ClientLimits& m_limits;
    std::size_t m_bytes;
    bool m_held;
};

} // namespace smtpprobe::web
