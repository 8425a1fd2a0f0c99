// Which Host headers the dashboard answers: the defence against DNS rebinding, where a web
// page the admin visits points its own name at 127.0.0.1 and reads the history through the
// admin's browser. Such a request carries the attacker's name in Host, so a name is only
// answered when it is one the server was told about; an address literal is what the user
// typed (it cannot be rebound) and is answered when it is the listen address.
//
// Allowed: the listen address itself (any address when listening on 0.0.0.0 or ::),
// "localhost" (and names under .localhost) when listening on loopback or everywhere, and the
// names given with `serve --allow-host`. The port is not compared (a proxy may change it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::web {

class HostCheck {
public:
    // listen_address: the address serve binds ("127.0.0.1", "::1", "0.0.0.0"); names: extra
    // host names to answer (case-insensitive, a trailing dot ignored).
    HostCheck(std::string listen_address, std::vector<std::string> names);

    // Whether a request whose Host header is host_header ("127.0.0.1:8025", "[::1]:8025",
    // "dash.example.org") is answered. An empty or malformed header is not.
    bool allows(std::string_view host_header) const;

private:
    std::string m_listen;
    bool m_listen_any = false;
    bool m_listen_loopback = false;
    std::vector<std::string> m_names; // lower case, no trailing dot
};

// The host part of a Host header, lower-cased, without port, brackets or a trailing dot;
// "" when malformed.
std::string host_of(std::string_view host_header);

} // namespace smtpprobe::web
