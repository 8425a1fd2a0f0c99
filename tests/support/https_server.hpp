// A small HTTPS server on 127.0.0.1 for tests of HTTPS clients (SNDS feeds): Boost.Beast and
// OpenSSL with a certificate of the test's own (make_self_signed_cert), one thread, answering
// each path with a configured reply, or never (a hung server, for client timeouts). Every
// request target it received is recorded, so a test can check what the client sent.
//
// Contract: bound to loopback; stop() (or destruction) closes the listener and every open
// connection and joins the thread, so a failing test leaves no server behind.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace smtpprobe::test {

struct HttpsReply {
    int status = 200;
    std::string body;
    std::string content_type = "text/csv";
    bool hang = false; // read the request, then never answer
};

class HttpsServer {
public:
    // Serves on a free port of 127.0.0.1 with the PEM certificate and key.
    HttpsServer(const std::string& cert_path, const std::string& key_path);
    ~HttpsServer();
    HttpsServer(const HttpsServer&) = delete;
    HttpsServer& operator=(const HttpsServer&) = delete;

    int port() const { return m_port; }
    // The reply for a path (the target without its query); unknown paths get 404.
    void set(const std::string& path, HttpsReply reply);
    // Every request target received so far ("/snds/data.aspx?key=..."), in order.
    std::vector<std::string> targets();
    void stop();

    struct State; // the io_context, TLS context and replies the server thread shares

private:
    std::shared_ptr<State> m_state;
    std::thread m_thread;
    int m_port = 0;
};

} // namespace smtpprobe::test
