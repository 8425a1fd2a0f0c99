// A small blocking HTTP/1.1 client for the web tests (Beast over loopback): one request per
// call, bounded by a timeout, the whole reply returned. Also raw socket access for the
// abuse tests (slow clients, oversized headers).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace smtpprobe::test {

struct HttpResult {
    int status = 0; // 0 when the connection failed or timed out
    std::string body;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string error;
};

// Sends METHOD target to 127.0.0.1:port with the extra headers; Connection: close.
HttpResult http_request(int port, const std::string& method, const std::string& target,
                        const std::map<std::string, std::string>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));

inline HttpResult http_get(int port, const std::string& target,
                           const std::map<std::string, std::string>& headers = {})
{
    return http_request(port, "GET", target, headers);
}

// Sends raw bytes and reads what comes back until the server closes or timeout passes.
// closed_after tells how long the server took to close (or the timeout when it did not).
std::string raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout,
                         std::chrono::milliseconds* closed_after = nullptr);

} // namespace smtpprobe::test
