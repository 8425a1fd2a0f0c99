// Runs one awaitable to completion on an io_context, for tests: bounded in time, rethrows what
// the coroutine threw, and fails loudly (std::runtime_error) if the deadline passes first.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

namespace smtpprobe::test {

template <typename T>
T run_awaitable(boost::asio::io_context& io, boost::asio::awaitable<T> task,
                std::chrono::milliseconds limit = std::chrono::milliseconds(20'000))
{
    std::optional<T> result;
    std::exception_ptr error;
    bool done = false;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
        error = e;
        result.emplace(std::move(value));
        done = true;
    });
    io.restart();
    io.run_for(limit);
    if (!done) {
        throw std::runtime_error("awaitable did not finish in time");
    }
    if (error) {
        std::rethrow_exception(error);
    }
    return std::move(*result);
}

} // namespace smtpprobe::test
