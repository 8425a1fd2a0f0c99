// Runs several awaitables concurrently and waits for all of them (Boost 1.74 has no
// parallel_group nor awaitable operators). Used to resolve every MX host at once and to ask
// every DNSBL zone at once.
//
// Contract: each task runs as its own coroutine on the caller's executor; the result vector
// holds each task's value at the task's index. If a task throws, the others still finish and
// the first exception is rethrown to the caller.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace smtpprobe::dns {

namespace gather_detail {

template <typename T, typename Handler>
struct State {
    std::mutex mutex;
    std::size_t remaining = 0;
    std::vector<T> results;
    std::exception_ptr error;
    std::optional<Handler> handler;
};

} // namespace gather_detail

// Awaits every task; returns their results in the order of `tasks`.
template <typename T>
boost::asio::awaitable<std::vector<T>> gather(std::vector<boost::asio::awaitable<T>> tasks)
{
    namespace asio = boost::asio;
    auto executor = co_await asio::this_coro::executor;
    auto initiation = [executor, tasks = std::move(tasks)](auto handler) mutable {
        using Handler = decltype(handler);
        auto state = std::make_shared<gather_detail::State<T, Handler>>();
        state->remaining = tasks.size();
        state->results.resize(tasks.size());
        if (tasks.empty()) {
            auto handler_executor = asio::get_associated_executor(handler, executor);
            asio::post(handler_executor, [h = std::move(handler)]() mutable {
                std::move(h)(std::exception_ptr{}, std::vector<T>{});
            });
            return;
        }
        state->handler.emplace(std::move(handler));
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            asio::co_spawn(executor, std::move(tasks[i]),
                           [state, i, executor](std::exception_ptr error, T value) {
                               std::unique_lock lock(state->mutex);
                               state->results[i] = std::move(value);
                               if (error && !state->error) {
                                   state->error = error;
                               }
                               if (--state->remaining != 0) {
                                   return;
                               }
                               Handler h = std::move(*state->handler);
                               state->handler.reset();
                               lock.unlock();
                               auto handler_executor = asio::get_associated_executor(h, executor);
                               asio::post(handler_executor, [h = std::move(h), state]() mutable {
                                   std::move(h)(state->error, std::move(state->results));
                               });
                           });
        }
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                            void(std::exception_ptr, std::vector<T>)>(
        std::move(initiation), asio::use_awaitable);
}

} // namespace smtpprobe::dns
