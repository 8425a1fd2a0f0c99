// Target parsing: bracketed IPv6, bare IPv6, host or IPv4 with an optional port.
#include "probe/target.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace smtpprobe::probe {

namespace {

bool parse_port(const std::string& text, std::uint16_t* port)
{
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
        return false;
    }
    *port = static_cast<std::uint16_t>(value);
    return true;
}

bool valid_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

} // namespace

std::optional<Target> parse_target(const std::string& text, std::uint16_t default_port,
                                   std::string* error)
{
    Target t;
    t.text = text;
    t.port = default_port;
    std::string host = text;
    std::string port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string::npos) {
            *error = "target '" + text + "': missing ']'";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                *error = "target '" + text + "': expected ':PORT' after ']'";
                return std::nullopt;
            }
            port = text.substr(close + 2);
            t.port_given = true;
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        t.port_given = true;
    }
    if (t.port_given && !parse_port(port, &t.port)) {
        *error = "target '" + text + "': port '" + port + "' is not a number 1-65535";
        return std::nullopt;
    }
    if (host.empty()) {
        *error = "target '" + text + "': empty host";
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    if (!ec) {
        t.is_ip = true;
        t.host = address.to_string();
        return t;
    }
    for (char c : host) {
        if (!valid_host_char(c)) {
            *error = "target '" + text + "': not a host name, domain or IP address";
            return std::nullopt;
        }
    }
    if (host.back() == '.') {
        host.pop_back();
    }
    t.host = host;
    return t;
}

} // namespace smtpprobe::probe
