// A counting semaphore for coroutines on one io_context (no threads, no locks): acquire()
// suspends on a timer that release() cancels. Waiters are woken in FIFO order.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <deque>

namespace smtpprobe::probe {

class AsyncSemaphore {
public:
    AsyncSemaphore(boost::asio::any_io_executor executor, std::size_t count)
        : m_executor(executor), m_count(count)
    {
    }

    // Waits until a unit is free and takes it.
    boost::asio::awaitable<void> acquire()
    {
        while (m_count == 0) {
            boost::asio::steady_timer timer(m_executor,
                                            boost::asio::steady_timer::time_point::max());
            m_waiters.push_back(&timer);
            boost::system::error_code ec;
            co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            // Either release() woke us (and removed us), or a spurious wake: re-check.
            std::erase(m_waiters, &timer);
        }
        --m_count;
    }

    // Returns a unit and wakes the oldest waiter.
    void release()
    {
        ++m_count;
        if (!m_waiters.empty()) {
            auto* timer = m_waiters.front();
            m_waiters.pop_front();
            timer->cancel();
        }
    }

    std::size_t available() const { return m_count; }

private:
    boost::asio::any_io_executor m_executor;
    std::size_t m_count;
    std::deque<boost::asio::steady_timer*> m_waiters;
};

} // namespace smtpprobe::probe
