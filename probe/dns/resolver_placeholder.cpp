// TEMPORARY (branch session only): lets the probe link before the DNS engineer's resolver
// lands on main. Handles IP literals; any name lookup reports that DNS is not built in.
// Deleted when `git merge main` brings probe/dns/resolver.cpp.
#include "probe/dns/resolver.hpp"

namespace smtpprobe::dns {

struct Resolver::Impl {};

Resolver::Resolver(boost::asio::any_io_executor, ResolverOptions) {}
Resolver::~Resolver() = default;
void Resolver::cancel() {}

std::optional<ServerAddress> parse_server_address(const std::string& text, std::string* error)
{
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(text, ec);
    if (ec) {
        *error = "--dns-server: '" + text + "' is not an IP address";
        return std::nullopt;
    }
    return ServerAddress{a, 53};
}

boost::asio::awaitable<MailRoute> resolve_mail_route(Resolver&, std::string target, IpFamily)
{
    MailRoute route;
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(target, ec);
    if (!ec) {
        route.kind = MailRoute::Kind::literal;
        route.hosts.push_back({target, 0, {a}});
        co_return route;
    }
    route.kind = MailRoute::Kind::error;
    route.error = "DNS resolver not available in this build (" + target + ")";
    co_return route;
}

} // namespace smtpprobe::dns

namespace smtpprobe::dns {

namespace {
boost::asio::awaitable<Answer> unavailable()
{
    Answer a;
    a.status = Status::error;
    a.error = "DNS resolver not available in this build";
    co_return a;
}
} // namespace

boost::asio::awaitable<Answer> Resolver::query_a(std::string)
{
    return unavailable();
}
boost::asio::awaitable<Answer> Resolver::query_aaaa(std::string)
{
    return unavailable();
}
boost::asio::awaitable<Answer> Resolver::query_mx(std::string)
{
    return unavailable();
}
boost::asio::awaitable<Answer> Resolver::query_txt(std::string)
{
    return unavailable();
}
boost::asio::awaitable<Answer> Resolver::query_ptr(boost::asio::ip::address)
{
    return unavailable();
}

} // namespace smtpprobe::dns
