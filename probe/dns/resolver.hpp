// DNS for the probe and the monitor: a c-ares channel driven by Boost.Asio. No blocking calls
// and no thread per query: c-ares' sockets are watched by the io_context, and its timeouts
// run on an Asio timer. One Resolver serves many concurrent queries.
//
// Contract: every query completes (answer, NXDOMAIN, no data, or an error with a reason) within
// the configured bound (c-ares doubles the per-try timeout on each retry with one server: with
// timeout T and tries N, at most T x (2^N - 1)); a query never throws for a DNS outcome, only
// for bugs. Queries may be awaited from any executor; the channel itself lives on a strand.
// Destroy (or cancel) the Resolver from the thread that runs its io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::dns {

// A resolver address given by the user: "ADDR", "ADDR:PORT", "[V6]:PORT".
struct ServerAddress {
    boost::asio::ip::address address;
    std::uint16_t port = 53;
};

// Parses --dns-server. Returns nullopt (and sets *error to one clear sentence) when malformed.
std::optional<ServerAddress> parse_server_address(const std::string& text, std::string* error);

struct ResolverOptions {
    std::optional<ServerAddress> server;     // none: the system's (/etc/resolv.conf)
    std::chrono::milliseconds timeout{3000}; // first try; c-ares doubles it per retry
    int tries = 2;
};

// The options for a --dns-server value (or the config's dns_server): "" is the system's
// resolver. The one place every command turns that text into options. Throws
// std::invalid_argument with "dns_server: <why>" when malformed.
ResolverOptions resolver_options(const std::string& dns_server);

enum class Status {
    ok,       // answer records present
    nxdomain, // the name does not exist
    nodata,   // the name exists, no records of this type
    timeout,  // no answer in time
    error,    // SERVFAIL, refused, malformed answer, bad name, ...
};

// The outcome of one query. For A/AAAA `addresses`; for MX `mx`; for TXT/PTR `texts`.
struct Answer {
    Status status = Status::error;
    std::string error; // why, for timeout/error
    std::vector<boost::asio::ip::address> addresses;
    struct Mx {
        std::uint16_t preference;
        std::string host; // without the trailing dot; "" for the null MX "."
    };
    std::vector<Mx> mx;
    std::vector<std::string> texts; // TXT strings joined per record; PTR names
};

class Resolver {
public:
    Resolver(boost::asio::any_io_executor executor, ResolverOptions options = {});
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    boost::asio::awaitable<Answer> query_a(std::string name);
    boost::asio::awaitable<Answer> query_aaaa(std::string name);
    boost::asio::awaitable<Answer> query_mx(std::string name);
    boost::asio::awaitable<Answer> query_txt(std::string name);
    boost::asio::awaitable<Answer> query_ptr(boost::asio::ip::address address);

    // Cancels every outstanding query (they complete with Status::error "cancelled").
    void cancel();

private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

enum class IpFamily { any, v4, v6 };

// Where mail for a name goes (RFC 5321 section 5.1, RFC 7505).
struct MailHost {
    std::string name; // MX host, the target itself, or the IP
    std::uint16_t preference = 0;
    std::vector<boost::asio::ip::address> addresses; // in the order to try (IPv4 first)
};

struct MailRoute {
    enum class Kind {
        mx,        // hosts from MX records, lowest preference first (ties in random order)
        implicit,  // no MX: the name's own A/AAAA (the "implicit MX")
        literal,   // the target was an IP address
        null_mx,   // "MX 0 ." : the domain accepts no mail
        not_found, // NXDOMAIN, or no MX and no address
        error,     // DNS failed (timeout, SERVFAIL): could not decide
    };
    Kind kind = Kind::error;
    std::vector<MailHost> hosts; // hosts with at least one address, in the order to try
    std::string error;           // why (kind null_mx/not_found/error); for kind mx, the MX
                                 // hosts left out because they have no address ("" if none)
};

// Resolves a domain, host name or IP literal ("192.0.2.1", "[192.0.2.1]", "[IPv6:...]") to the
// hosts to try, in order. All MX hosts are resolved concurrently. MX hosts without an address
// are left out; if none has one, the route is kind error.
boost::asio::awaitable<MailRoute> resolve_mail_route(Resolver& resolver, std::string target,
                                                     IpFamily family = IpFamily::any);

} // namespace smtpprobe::dns
