// Resolver (resolver.hpp): one c-ares channel driven by the io_context. c-ares tells us through
// its socket-state callback which sockets it wants to read or write; each is watched with an
// Asio stream_descriptor async_wait, and readiness is handed back with ares_process_fd. One
// steady_timer, set from ares_timeout, drives retries and timeouts. Everything touching the
// channel runs on one strand, so the io_context may run on several threads.
#include "probe/dns/resolver.hpp"

#include "probe/dns/answer_decoder.hpp"
#include "probe/dns/reverse_name.hpp"

#include <ares.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <netinet/in.h>
#include <unordered_map>

namespace smtpprobe::dns {

namespace asio = boost::asio;

namespace {

// One query in flight; owned by c-ares (its callback argument) until the callback runs.
struct PendingQuery {
    std::size_t* in_flight = nullptr; // the resolver's count, once handed to c-ares
    RecordType type = RecordType::a;
    std::string name;
    asio::ip::address ptr_address;
    virtual ~PendingQuery() = default;
    virtual void complete(Answer answer) = 0;
};

// Delivers the answer to the awaiting coroutine on its own executor, never inline inside
// c-ares (which must not be re-entered from its own callback by a resumed coroutine).
template <typename Handler>
struct Query final : PendingQuery {
    using Executor = asio::associated_executor_t<Handler, asio::any_io_executor>;
    Handler m_handler;
    asio::executor_work_guard<Executor> m_work;

    Query(Handler handler, const asio::any_io_executor& fallback)
        : m_handler(std::move(handler)), m_work(asio::get_associated_executor(m_handler, fallback))
    {
    }
    void complete(Answer answer) override
    {
        Executor executor = m_work.get_executor();
        asio::post(executor, [h = std::move(m_handler), a = std::move(answer)]() mutable {
            std::move(h)(std::move(a));
        });
        m_work.reset();
    }
};

void library_init_once()
{
    static const int k_status = ares_library_init(ARES_LIB_INIT_ALL);
    (void)k_status;
}

} // namespace

struct Resolver::Impl : std::enable_shared_from_this<Impl> {
    struct Watch {
        ares_socket_t fd;
        asio::posix::stream_descriptor descriptor;
        bool want_read = false;
        bool want_write = false;
        bool read_armed = false;
        bool write_armed = false;
        Watch(const asio::strand<asio::any_io_executor>& strand, ares_socket_t socket)
            : fd(socket), descriptor(strand)
        {
        }
    };

    asio::any_io_executor m_executor;
    asio::strand<asio::any_io_executor> m_strand;
    asio::steady_timer m_timer;
    bool m_timer_armed = false;
    ares_channel m_channel = nullptr;
    std::size_t m_in_flight = 0; // queries handed to c-ares whose callback has not run
    std::string m_init_error;
    std::unordered_map<ares_socket_t, std::shared_ptr<Watch>> m_watches;

    Impl(asio::any_io_executor executor, const ResolverOptions& options)
        : m_executor(executor), m_strand(asio::make_strand(executor)), m_timer(m_strand)
    {
        library_init_once();
        ares_options opts{};
        opts.flags = ARES_FLAG_NOSEARCH;
        opts.timeout = static_cast<int>(std::max<long long>(1, options.timeout.count()));
        opts.tries = std::max(1, options.tries);
        opts.sock_state_cb = &Impl::on_socket_state;
        opts.sock_state_cb_data = this;
        const int mask =
            ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
        int rc = ares_init_options(&m_channel, &opts, mask);
        if (rc != ARES_SUCCESS) {
            m_init_error = std::string("cannot set up the DNS resolver: ") + ares_strerror(rc);
            m_channel = nullptr;
            return;
        }
        if (options.server) {
            ares_addr_port_node node{};
            node.next = nullptr;
            const asio::ip::address& address = options.server->address;
            if (address.is_v4()) {
                node.family = AF_INET;
                const auto bytes = address.to_v4().to_bytes();
                std::memcpy(&node.addr.addr4, bytes.data(), bytes.size());
            } else {
                node.family = AF_INET6;
                const auto bytes = address.to_v6().to_bytes();
                std::memcpy(&node.addr.addr6, bytes.data(), bytes.size());
            }
            node.udp_port = options.server->port;
            node.tcp_port = options.server->port;
            rc = ares_set_servers_ports(m_channel, &node);
            if (rc != ARES_SUCCESS) {
                m_init_error = std::string("cannot use the DNS server ") + address.to_string() +
                               ": " + ares_strerror(rc);
            }
        }
    }

    ~Impl() { close(); }

    // Ends the channel: outstanding queries complete with "cancelled".
    void close()
    {
        if (m_channel != nullptr) {
            ares_channel channel = m_channel;
            ares_destroy(channel); // calls on_socket_state(fd, 0, 0) for every socket
            m_channel = nullptr;
        }
        for (auto& [fd, watch] : m_watches) {
            (void)fd;
            watch->descriptor.release();
        }
        m_watches.clear();
        m_timer.cancel();
        m_timer_armed = false;
    }

    void start(std::unique_ptr<PendingQuery> query)
    {
        if (m_channel == nullptr || !m_init_error.empty()) {
            Answer answer;
            answer.status = Status::error;
            answer.error = m_init_error.empty() ? "resolver closed" : m_init_error;
            query->complete(std::move(answer));
            return;
        }
        PendingQuery* raw = query.release();
        raw->in_flight = &m_in_flight;
        ++m_in_flight;
        ares_query(m_channel, raw->name.c_str(), 1 /* IN */, static_cast<int>(raw->type),
                   &Impl::on_result, raw);
        schedule_timer();
    }

    static void on_result(void* arg, int status, int /*timeouts*/, unsigned char* response,
                          int length)
    {
        std::unique_ptr<PendingQuery> query(static_cast<PendingQuery*>(arg));
        if (query->in_flight != nullptr) {
            --*query->in_flight;
        }
        query->complete(
            decode_answer(query->type, query->name, status, response, length, query->ptr_address));
    }

    static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable)
    {
        static_cast<Impl*>(data)->socket_state(fd, readable != 0, writable != 0);
    }

    void socket_state(ares_socket_t fd, bool readable, bool writable)
    {
        auto it = m_watches.find(fd);
        if (!readable && !writable) {
            if (it != m_watches.end()) {
                // c-ares closes the socket right after this: stop watching, never close it.
                it->second->descriptor.release();
                m_watches.erase(it);
            }
            return;
        }
        if (it == m_watches.end()) {
            auto watch = std::make_shared<Watch>(m_strand, fd);
            boost::system::error_code ec;
            watch->descriptor.assign(fd, ec);
            if (ec) {
                return; // the query will time out; nothing else we can do from a callback
            }
            it = m_watches.emplace(fd, std::move(watch)).first;
        }
        it->second->want_read = readable;
        it->second->want_write = writable;
        arm(it->second);
    }

    void arm(const std::shared_ptr<Watch>& watch)
    {
        if (m_channel == nullptr) {
            return;
        }
        if (watch->want_read && !watch->read_armed) {
            watch->read_armed = true;
            watch->descriptor.async_wait(
                asio::posix::descriptor_base::wait_read,
                [self = shared_from_this(), watch](boost::system::error_code ec) {
                    watch->read_armed = false;
                    if (ec || !watch->descriptor.is_open() || self->m_channel == nullptr) {
                        return;
                    }
                    if (watch->want_read) {
                        ares_process_fd(self->m_channel, watch->fd, ARES_SOCKET_BAD);
                    }
                    self->rearm(watch);
                });
        }
        if (watch->want_write && !watch->write_armed) {
            watch->write_armed = true;
            watch->descriptor.async_wait(
                asio::posix::descriptor_base::wait_write,
                [self = shared_from_this(), watch](boost::system::error_code ec) {
                    watch->write_armed = false;
                    if (ec || !watch->descriptor.is_open() || self->m_channel == nullptr) {
                        return;
                    }
                    if (watch->want_write) {
                        ares_process_fd(self->m_channel, ARES_SOCKET_BAD, watch->fd);
                    }
                    self->rearm(watch);
                });
        }
    }

    // After c-ares ran: keep watching the socket if it is still c-ares' and wanted.
    void rearm(const std::shared_ptr<Watch>& watch)
    {
        if (watch->descriptor.is_open()) {
            arm(watch);
        }
        schedule_timer();
    }

    // Sets the timer to c-ares' next deadline. An armed timer is left alone (c-ares' deadlines
    // only move later as queries are added; a fire too early just re-reads ares_timeout), which
    // keeps ares_timeout (a walk over every query) off the per-packet path. With no query in
    // flight the timer is cancelled so an idle resolver keeps no work on the io_context.
    void schedule_timer()
    {
        if (m_channel == nullptr) {
            return;
        }
        if (m_in_flight == 0) {
            if (m_timer_armed) {
                m_timer.cancel();
                m_timer_armed = false;
            }
            return;
        }
        if (m_timer_armed) {
            return;
        }
        timeval buffer{};
        timeval* next = ares_timeout(m_channel, nullptr, &buffer);
        if (next == nullptr) {
            return;
        }
        m_timer_armed = true;
        m_timer.expires_after(std::chrono::seconds(next->tv_sec) +
                              std::chrono::microseconds(next->tv_usec));
        m_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec) {
                return; // cancelled
            }
            self->m_timer_armed = false;
            self->on_timer();
        });
    }

    void on_timer()
    {
        if (m_channel == nullptr) {
            return;
        }
        ares_process_fd(m_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        // Readiness that raced an edge-triggered wait (several io_context threads) is picked
        // up here at the latest: reading a socket with nothing queued is harmless.
        std::vector<ares_socket_t> readable;
        for (const auto& [fd, watch] : m_watches) {
            if (watch->want_read) {
                readable.push_back(fd);
            }
        }
        for (ares_socket_t fd : readable) {
            if (m_channel != nullptr && m_watches.count(fd) != 0) {
                ares_process_fd(m_channel, fd, ARES_SOCKET_BAD);
            }
        }
        schedule_timer();
    }
};

namespace {

// ImplPtr is deduced (Resolver::Impl is private to Resolver).
template <typename ImplPtr, typename Token>
auto async_query(ImplPtr impl, RecordType type, std::string name, asio::ip::address ptr_address,
                 Token&& token)
{
    auto initiation = [impl, type, name = std::move(name), ptr_address](auto handler) mutable {
        using Handler = decltype(handler);
        auto query = std::make_unique<Query<Handler>>(std::move(handler), impl->m_executor);
        query->type = type;
        query->name = std::move(name);
        query->ptr_address = ptr_address;
        asio::dispatch(impl->m_strand,
                       [impl, q = std::move(query)]() mutable { impl->start(std::move(q)); });
    };
    return asio::async_initiate<Token, void(Answer)>(std::move(initiation), token);
}

} // namespace

Resolver::Resolver(asio::any_io_executor executor, ResolverOptions options)
    : m_impl(std::make_shared<Impl>(std::move(executor), options))
{
}

Resolver::~Resolver()
{
    m_impl->close();
}

asio::awaitable<Answer> Resolver::query_a(std::string name)
{
    return async_query(m_impl, RecordType::a, std::move(name), {}, asio::use_awaitable);
}

asio::awaitable<Answer> Resolver::query_aaaa(std::string name)
{
    return async_query(m_impl, RecordType::aaaa, std::move(name), {}, asio::use_awaitable);
}

asio::awaitable<Answer> Resolver::query_mx(std::string name)
{
    return async_query(m_impl, RecordType::mx, std::move(name), {}, asio::use_awaitable);
}

asio::awaitable<Answer> Resolver::query_txt(std::string name)
{
    return async_query(m_impl, RecordType::txt, std::move(name), {}, asio::use_awaitable);
}

asio::awaitable<Answer> Resolver::query_ptr(asio::ip::address address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return async_query(m_impl, RecordType::ptr, ptr_name(address), address, asio::use_awaitable);
}

void Resolver::cancel()
{
    asio::dispatch(m_impl->m_strand, [impl = m_impl] {
        if (impl->m_channel != nullptr) {
            ares_cancel(impl->m_channel);
            impl->schedule_timer(); // nothing in flight: drop the timer's hold on the io_context
        }
    });
}

} // namespace smtpprobe::dns
