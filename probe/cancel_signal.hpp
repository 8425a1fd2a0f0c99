// A cancel signal shared by the sessions of one run (one io_context, one thread): SIGINT
// calls cancel(), every connected session's socket is cancelled, and sessions started later
// see cancelled() and end at once. Nothing runs on another thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

namespace smtpprobe::probe {

class CancelSignal {
public:
    // Runs every connected slot once; later connect() calls still register but cancelled()
    // tells the newcomer to stop.
    void cancel()
    {
        if (m_cancelled) {
            return;
        }
        m_cancelled = true;
        auto slots = std::move(m_slots);
        m_slots.clear();
        for (auto& [id, slot] : slots) {
            slot();
        }
    }
    bool cancelled() const { return m_cancelled; }
    // Registers a slot; returns its id for disconnect().
    std::uint64_t connect(std::function<void()> slot)
    {
        m_slots.emplace(++m_next, std::move(slot));
        return m_next;
    }
    void disconnect(std::uint64_t id) { m_slots.erase(id); }

private:
    bool m_cancelled = false;
    std::uint64_t m_next = 0;
    std::map<std::uint64_t, std::function<void()>> m_slots;
};

} // namespace smtpprobe::probe
