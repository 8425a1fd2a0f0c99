// parse_server_address (resolver.hpp): the --dns-server value. Accepted forms: "ADDR",
// "ADDR:PORT" (IPv4), "[V6]" and "[V6]:PORT", and a bare IPv6 address (port 53). A host name
// is refused: the resolver to use cannot itself need resolving.
#include "probe/dns/resolver.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace smtpprobe::dns {

namespace {

bool fail(std::string* error, std::string message)
{
    if (error != nullptr) {
        *error = std::move(message);
    }
    return false;
}

bool parse_port(std::string_view text, std::uint16_t* port, std::string* error)
{
    unsigned value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value == 0 || value > 65535) {
        return fail(error, "--dns-server: bad port '" + std::string(text) + "' (expected 1-65535)");
    }
    *port = static_cast<std::uint16_t>(value);
    return true;
}

bool parse_address(std::string_view text, boost::asio::ip::address* address, std::string* error)
{
    boost::system::error_code ec;
    *address = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) {
        return fail(error, "--dns-server: '" + std::string(text) +
                               "' is not an IP address (expected ADDR, ADDR:PORT or [IPv6]:PORT)");
    }
    return true;
}

} // namespace

std::optional<ServerAddress> parse_server_address(const std::string& input, std::string* error)
{
    std::string_view text = input;
    ServerAddress server;
    if (text.empty()) {
        fail(error, "--dns-server: empty address (expected ADDR, ADDR:PORT or [IPv6]:PORT)");
        return std::nullopt;
    }
    if (text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) {
            fail(error, "--dns-server: '" + input + "' lacks the closing ']'");
            return std::nullopt;
        }
        if (!parse_address(text.substr(1, close - 1), &server.address, error)) {
            return std::nullopt;
        }
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                fail(error, "--dns-server: unexpected '" + std::string(rest) + "' after ']'");
                return std::nullopt;
            }
            if (!parse_port(rest.substr(1), &server.port, error)) {
                return std::nullopt;
            }
        }
        return server;
    }
    const std::size_t first_colon = text.find(':');
    if (first_colon != std::string_view::npos && text.find(':', first_colon + 1) == text.npos) {
        // Exactly one colon: IPv4 (or a name) with a port.
        if (!parse_address(text.substr(0, first_colon), &server.address, error) ||
            !parse_port(text.substr(first_colon + 1), &server.port, error)) {
            return std::nullopt;
        }
        if (!server.address.is_v4()) {
            fail(error, "--dns-server: write an IPv6 address with a port as [ADDR]:PORT");
            return std::nullopt;
        }
        return server;
    }
    // No colon (IPv4) or several (a bare IPv6 address).
    if (!parse_address(text, &server.address, error)) {
        return std::nullopt;
    }
    return server;
}

ResolverOptions resolver_options(const std::string& dns_server)
{
    ResolverOptions options;
    if (dns_server.empty()) {
        return options;
    }
    std::string error;
    options.server = parse_server_address(dns_server, &error);
    if (!options.server) {
        throw std::invalid_argument("dns_server: " + error);
    }
    return options;
}

} // namespace smtpprobe::dns
