// `smtpprobe serve [--listen ADDR:PORT] [--token TOKEN]`: the dashboard, JSON API and
// /metrics over the history, read-only. Loopback by default; any other address needs a token
// (exit 2 without one). SIGINT/SIGTERM end it cleanly (exit 0).
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/store/database.hpp"
#include "web/server/server.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

namespace smtpprobe::cli {
namespace {

struct ServeOptions {
    std::string listen = "127.0.0.1:8025";
    std::string token;
    int threads = 2;
    double request_timeout = 10;
};

// "127.0.0.1:8025", "[::1]:8025", "0.0.0.0:80" -> address, port.
std::pair<std::string, unsigned short> split_listen(const std::string& text)
{
    std::string address;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            throw UsageError("--listen: expected [IPV6]:PORT, got '" + text + "'");
        }
        address = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            throw UsageError("--listen: expected ADDR:PORT, got '" + text + "'");
        }
        address = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || port.empty() || value > 65535) {
        throw UsageError("--listen: bad port '" + port + "'");
    }
    return {address, static_cast<unsigned short>(value)};
}

int serve(const Context& ctx, const ServeOptions& opts)
{
    auto [address, port] = split_listen(opts.listen);
    std::string token = opts.token;
    if (token.empty()) {
        if (const char* env = std::getenv("SMTPPROBE_TOKEN")) {
            token = env;
        }
    }
    web::ServerOptions server_options;
    server_options.address = address;
    server_options.port = port;
    if (!web::is_loopback_address(address)) {
        if (token.empty()) {
            throw UsageError("serve: listening on " + address +
                             " (not loopback) needs --token TOKEN (or $SMTPPROBE_TOKEN)");
        }
    }
    if (!token.empty() && token.size() < 16) {
        throw UsageError("serve: --token must be at least 16 characters");
    }
    if (opts.threads < 1 || opts.threads > 64) {
        throw UsageError("serve: --threads must be between 1 and 64");
    }
    if (!(opts.request_timeout >= 0.1 && opts.request_timeout <= 3600)) {
        throw UsageError("serve: --request-timeout must be between 0.1 and 3600 seconds");
    }
    server_options.threads = opts.threads;
    server_options.request_timeout =
        std::chrono::milliseconds(static_cast<long long>(opts.request_timeout * 1000));
    const config::Config config = load_effective_config(ctx.global);
    std::string path = monitor_db_path(ctx.global, config);
    if (!std::filesystem::exists(path)) {
        throw IncompleteError("serve: database " + path +
                              " does not exist (run smtpprobe run or ingest first, or use --db)");
    }
    {
        // Fail now, with the path, rather than on every request.
        try {
            store::Database check(path, store::Database::Mode::read_only);
        } catch (const store::StoreError& e) {
            throw IncompleteError(std::string("serve: ") + e.what());
        }
    }
    web::Server server(server_options, web::RouterOptions{path, token, config});
    unsigned short bound = 0;
    try {
        bound = server.listen();
    } catch (const std::system_error& e) {
        throw IncompleteError(std::string("serve: ") + e.what());
    }
    std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
    server.run([&] {
        if (ctx.global.verbosity >= 0) {
            std::cerr << "smtpprobe serve: dashboard on http://" << host << ":" << bound
                      << "/ (database " << path << ", read-only)" << std::endl;
        }
    });
    if (ctx.global.verbosity >= 0) {
        std::cerr << "smtpprobe serve: stopped" << std::endl;
    }
    return k_exit_ok;
}

} // namespace

void add_serve_command(CLI::App& app, Context& ctx)
{
    auto opts = std::make_shared<ServeOptions>();
    auto* cmd = app.add_subcommand("serve", "dashboard, JSON API and /metrics over the history "
                                            "(read-only; loopback unless --token is given)");
    cmd->add_option("--listen", opts->listen, "ADDR:PORT to listen on ([::1]:PORT for IPv6)");
    cmd->add_option("--token", opts->token,
                    "required as 'Authorization: Bearer TOKEN' (or a cookie set by opening "
                    "/?token=TOKEN); mandatory off loopback; default $SMTPPROBE_TOKEN");
    cmd->add_option("--threads", opts->threads, "threads serving requests");
    cmd->add_option("--request-timeout", opts->request_timeout,
                    "seconds a client has to send a whole request (and keep-alive idle time)");
    cmd->callback([&ctx, opts] { ctx.action = [&ctx, opts] { return serve(ctx, *opts); }; });
}

} // namespace smtpprobe::cli
