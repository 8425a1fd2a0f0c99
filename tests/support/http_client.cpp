// Blocking HTTP test client over Beast (see http_client.hpp).
#include "tests/support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <functional>

namespace smtpprobe::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpResult http_request(int port, const std::string& method, const std::string& target,
                        const std::map<std::string, std::string>& headers,
                        std::chrono::milliseconds timeout)
{
    HttpResult result;
    asio::io_context io;
    beast::tcp_stream stream(io);
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    if (request.method() == http::verb::unknown) {
        request.method_string(method);
    }
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::connection, "close");
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (method == "HEAD") {
        parser.skip(true);
    }
    stream.expires_after(timeout);
    stream.async_connect(endpoint, [&](beast::error_code ec) {
        if (ec) {
            result.error = "connect: " + ec.message();
            return;
        }
        http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
            if (write_ec) {
                result.error = "write: " + write_ec.message();
                return;
            }
            http::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
                if (read_ec) {
                    result.error = "read: " + read_ec.message();
                    return;
                }
                const auto& response = parser.get();
                result.status = static_cast<int>(response.result_int());
                result.body = response.body();
                for (const auto& field : response) {
                    std::string name(field.name_string());
                    std::transform(name.begin(), name.end(), name.begin(),
                                   [](unsigned char c) { return std::tolower(c); });
                    result.headers[name] = std::string(field.value());
                }
            });
        });
    });
    io.run();
    return result;
}

std::string raw_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout,
                         std::chrono::milliseconds* closed_after)
{
    asio::io_context io;
    tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                 static_cast<unsigned short>(port)),
                   ec);
    if (ec) {
        return {};
    }
    auto start = std::chrono::steady_clock::now();
    asio::write(socket, asio::buffer(bytes), ec);
    std::string received;
    char chunk[4096];
    std::function<void()> read_more = [&] {
        socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code read_ec,
                                                        std::size_t n) {
            received.append(chunk, n);
            if (!read_ec) {
                read_more();
            } else if (closed_after) {
                *closed_after = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start);
            }
        });
    };
    if (closed_after) {
        *closed_after = timeout;
    }
    read_more();
    io.run_for(timeout);
    return received;
}

} // namespace smtpprobe::test
