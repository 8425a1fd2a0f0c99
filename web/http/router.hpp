// Maps one HTTP request to one reply: the token check, the embedded assets, the JSON API and
// /metrics. Knows nothing of sockets (the session in web/server/ does the I/O), so it can be
// exercised directly. A request for a Host this server is not (DNS rebinding, see
// host_check.hpp) is 421 before anything else, token or not. Only GET and HEAD exist (405
// otherwise); an unknown path is 404; a parameter the client can fix is 400 with a JSON
// {"error": ...}.
#pragma once

#include "monitor/config/config.hpp"
#include "web/http/host_check.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smtpprobe::web {

struct HttpRequest {
    std::string_view method;        // "GET"
    std::string_view target;        // "/api/episodes?ip=..."
    std::string_view authorization; // the Authorization header, "" when absent
    std::string_view cookie;        // the Cookie header, "" when absent
    std::string_view host;          // the Host header, "" when absent (then refused)
};

struct HttpReply {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // beside the security headers
};

struct RouterOptions {
    std::string db_path;                    // opened read-only, one connection per serving thread
    std::string token;                      // required when not empty
    std::string listen_address;             // the address serve binds (see host_check.hpp)
    std::vector<std::string> allowed_hosts; // host names answered besides it (--allow-host)
    config::Config config;                  // identities, DNSBL zones: what the state query needs
};

// The Content-Security-Policy every reply carries: no inline script, nothing from elsewhere.
inline constexpr std::string_view k_content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

class Router {
public:
    explicit Router(RouterOptions options);
    // Never throws: every failure becomes a reply.
    HttpReply handle(const HttpRequest& request) const;
    // Whether answering request reads the store beyond the cached /api/status (the API,
    // /metrics): the server runs those on its worker threads.
    bool queries_store(const HttpRequest& request) const;

private:
    bool authorised(const HttpRequest& request, bool& set_cookie) const;
    HttpReply dispatch(const HttpRequest& request) const;

    RouterOptions m_options;
    HostCheck m_hosts;
};

} // namespace smtpprobe::web
