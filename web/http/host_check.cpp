// See host_check.hpp.
#include "web/http/host_check.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

namespace smtpprobe::web {

namespace {

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return out;
}

bool all_digits(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string without_trailing_dot(std::string name)
{
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    return name;
}

} // namespace

std::string host_of(std::string_view header)
{
    if (header.empty() || header.size() > 255) {
        return "";
    }
    std::string_view host;
    std::string_view port;
    if (header.front() == '[') {
        const auto close = header.find(']');
        if (close == std::string_view::npos) {
            return "";
        }
        host = header.substr(1, close - 1);
        std::string_view rest = header.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return "";
            }
            port = rest.substr(1);
        }
    } else {
        const auto colon = header.find(':');
        host = header.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = header.substr(colon + 1);
        }
    }
    if (host.empty() || !all_digits(port) || port.size() > 5) {
        return "";
    }
    // RFC 9110 reg-name characters only (no spaces, no controls, no '@' or '/').
    const bool plain = std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-' || c == '_' || c == ':';
    });
    return plain ? without_trailing_dot(lower(host)) : "";
}

HostCheck::HostCheck(std::string listen_address, std::vector<std::string> names)
{
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(listen_address, ec);
    if (!ec) {
        m_listen = address.to_string();
        m_listen_any = address.is_unspecified();
        m_listen_loopback = address.is_loopback();
    } else {
        m_listen = lower(listen_address);
    }
    for (const std::string& name : names) {
        m_names.push_back(without_trailing_dot(lower(name)));
    }
}

bool HostCheck::allows(std::string_view header) const
{
    const std::string host = host_of(header);
    if (host.empty()) {
        return false;
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (!ec) {
        return m_listen_any || address.to_string() == m_listen;
    }
    if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost"))) {
        return m_listen_any || m_listen_loopback;
    }
    return std::find(m_names.begin(), m_names.end(), host) != m_names.end();
}

} // namespace smtpprobe::web
