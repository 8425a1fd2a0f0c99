// run_batch: `concurrency` worker coroutines pull targets from a shared index; a per-receiver
// AsyncSemaphore bounds sessions per receiver.
#include "probe/batch_runner.hpp"

#include "probe/async_semaphore.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <map>
#include <memory>
#include <stdexcept>

namespace smtpprobe::probe {

namespace asio = boost::asio;

namespace {

struct BatchState {
    asio::io_context& io;
    const std::vector<Target>& targets;
    dns::Resolver* resolver;
    std::vector<SessionOptions> options; // one for all, or one per target; cancel -> `cancel`
    const BatchOptions& batch;
    const std::function<void(const ProbeResult&)>& on_result;
    CancelSignal cancel;
    std::map<std::string, std::unique_ptr<AsyncSemaphore>> receivers;
    std::vector<ProbeResult> results;
    std::size_t next = 0;
    std::size_t workers_left = 0;
    std::unique_ptr<asio::signal_set> signals;

    const SessionOptions& options_for(std::size_t index) const
    {
        return options.size() == 1 ? options.front() : options[index];
    }

    AsyncSemaphore& receiver(const std::string& key)
    {
        auto& slot = receivers[key];
        if (!slot) {
            slot = std::make_unique<AsyncSemaphore>(io.get_executor(),
                                                    std::max<std::size_t>(1, batch.per_receiver));
        }
        return *slot;
    }
};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

asio::awaitable<void> worker(BatchState& st)
{
    while (st.next < st.targets.size()) {
        std::size_t index = st.next++;
        const Target& target = st.targets[index];
        const SessionOptions& options = st.options_for(index);
        ProbeResult result;
        if (st.cancel.cancelled()) {
            result.target = target.text;
            result.script = options.script.name;
            result.outcome = Outcome::cancelled;
            result.error = "cancelled before start";
            result.started_at = result.finished_at = std::chrono::system_clock::now();
        } else {
            dns::MailRoute route;
            if (target.is_ip) {
                route.kind = dns::MailRoute::Kind::literal;
                route.hosts.push_back({target.host, 0, {asio::ip::make_address(target.host)}});
            } else if (st.resolver) {
                route = co_await dns::resolve_mail_route(*st.resolver, target.host, options.family);
            } else {
                route.kind = dns::MailRoute::Kind::error;
                route.error = "no resolver for " + target.host;
            }
            std::string key = lower(route.hosts.empty() ? target.host : route.hosts.front().name);
            AsyncSemaphore& sem = st.receiver(key);
            co_await sem.acquire();
            result = co_await run_session(target, std::move(route), options);
            sem.release();
        }
        if (st.on_result) {
            st.on_result(result);
        }
        st.results[index] = std::move(result);
    }
    if (--st.workers_left == 0 && st.signals) {
        boost::system::error_code ignored;
        st.signals->cancel(ignored);
    }
}

} // namespace

namespace {

std::vector<ProbeResult> run(BatchState& st)
{
    for (SessionOptions& options : st.options) {
        options.cancel = &st.cancel;
    }
    st.results.resize(st.targets.size());
    if (st.targets.empty()) {
        return {};
    }
    asio::io_context& io = st.io;
    if (st.batch.handle_signals) {
        st.signals = std::make_unique<asio::signal_set>(io, SIGINT, SIGTERM);
        st.signals->async_wait([&st](const boost::system::error_code& ec, int) {
            if (!ec) {
                st.cancel.cancel();
                if (st.resolver) {
                    st.resolver->cancel();
                }
            }
        });
    }
    std::size_t n = std::min(std::max<std::size_t>(1, st.batch.concurrency), st.targets.size());
    st.workers_left = n;
    for (std::size_t i = 0; i < n; ++i) {
        asio::co_spawn(io, worker(st), asio::detached);
    }
    io.run();
    io.restart();
    return std::move(st.results);
}

} // namespace

std::vector<ProbeResult> run_batch(asio::io_context& io, const std::vector<Target>& targets,
                                   dns::Resolver* resolver, const SessionOptions& options,
                                   const BatchOptions& batch,
                                   const std::function<void(const ProbeResult&)>& on_result)
{
    BatchState st{io, targets, resolver, {options}, batch, on_result, {}, {}, {}, 0, 0, {}};
    return run(st);
}

std::vector<ProbeResult> run_batch(asio::io_context& io, const std::vector<Target>& targets,
                                   dns::Resolver* resolver,
                                   const std::vector<SessionOptions>& per_target,
                                   const BatchOptions& batch,
                                   const std::function<void(const ProbeResult&)>& on_result)
{
    if (per_target.size() != targets.size()) {
        throw std::invalid_argument("run_batch: one SessionOptions per target");
    }
    if (targets.empty()) {
        return {};
    }
    BatchState st{io, targets, resolver, per_target, batch, on_result, {}, {}, {}, 0, 0, {}};
    return run(st);
}

} // namespace smtpprobe::probe
