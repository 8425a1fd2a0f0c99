// `smtpprobe serve [--listen ADDR:PORT] [--token TOKEN]`: the dashboard, JSON API and
// /metrics over the history, read-only. Loopback by default; any other address needs a token
// (exit 2 without one). SIGINT/SIGTERM end it cleanly (exit 0).
#include "cli/commands.hpp"
#include "cli/exit_code.hpp"
#include "cli/monitor_context.hpp"
#include "monitor/store/database.hpp"
#include "probe/log.hpp"
#include "web/http/host_check.hpp"
#include "web/server/server.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sys/resource.h>
#include <vector>

namespace smtpprobe::cli {
namespace {

struct ServeOptions {
    std::string listen = "127.0.0.1:8025";
    std::string token;
    std::vector<std::string> allow_hosts;
    int threads = 2;
    double request_timeout = 10;
    double header_timeout = 5;
    int max_connections = 1024;
};

// Descriptors a server needs besides its connections: the database (one per thread, with
// its WAL and shm), the acceptor, the event loop, stdio.
constexpr rlim_t k_spare_descriptors = 64;

// Raises the soft descriptor limit towards what max_connections needs (up to the hard
// limit) and returns how many connections fit under it.
std::size_t connections_within_descriptors(std::size_t wanted)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return wanted;
    }
    const rlim_t needed = static_cast<rlim_t>(wanted) + k_spare_descriptors;
    if (limit.rlim_cur < needed && limit.rlim_cur != RLIM_INFINITY) {
        rlimit raised = limit;
        raised.rlim_cur =
            limit.rlim_max == RLIM_INFINITY ? needed : std::min(needed, limit.rlim_max);
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limit = raised;
        }
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) {
        return wanted;
    }
    return limit.rlim_cur > 2 * k_spare_descriptors
               ? static_cast<std::size_t>(limit.rlim_cur - k_spare_descriptors)
               : static_cast<std::size_t>(k_spare_descriptors);
}

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
    if (!(opts.header_timeout >= 0.1 && opts.header_timeout <= 3600)) {
        throw UsageError("serve: --header-timeout must be between 0.1 and 3600 seconds");
    }
    if (opts.max_connections < 16 || opts.max_connections > 1'000'000) {
        throw UsageError("serve: --max-connections must be between 16 and 1000000");
    }
    for (const std::string& name : opts.allow_hosts) {
        if (web::host_of(name).empty() || name.find(':') != std::string::npos) {
            throw UsageError("serve: --allow-host '" + name + "' is not a host name");
        }
    }
    server_options.threads = opts.threads;
    server_options.allowed_hosts = opts.allow_hosts;
    server_options.request_timeout =
        std::chrono::milliseconds(static_cast<long long>(opts.request_timeout * 1000));
    server_options.header_timeout =
        std::chrono::milliseconds(static_cast<long long>(opts.header_timeout * 1000));
    server_options.max_connections =
        connections_within_descriptors(static_cast<std::size_t>(opts.max_connections));
    if (server_options.max_connections < static_cast<std::size_t>(opts.max_connections)) {
        log::warn("serve: the descriptor limit allows ", server_options.max_connections,
                  " connections, not ", opts.max_connections, " (raise LimitNOFILE / ulimit -n)");
    }
    const config::Config config = load_effective_config(ctx.global);
    std::string path = monitor_db_path(ctx.global, config);
    if (!store::history_exists(path)) {
        throw IncompleteError("serve: database " + store::display_location(path) +
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
    web::RouterOptions router;
    router.db_path = path;
    router.token = token;
    router.config = config;
    web::Server server(server_options, std::move(router));
    unsigned short bound = 0;
    try {
        bound = server.listen();
    } catch (const std::system_error& e) {
        throw IncompleteError(std::string("serve: ") + e.what());
    }
    std::string host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
    server.run([&] {
        log::info("serve: dashboard on http://", host, ":", bound, "/ (database ",
                  store::display_location(path), ", read-only)");
    });
    log::info("serve: stopped");
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
    cmd->add_option("--allow-host", opts->allow_hosts,
                    "also answer requests whose Host header is NAME (repeatable; by default only "
                    "the listen address, and localhost on loopback: a DNS rebinding guard)");
    cmd->add_option("--header-timeout", opts->header_timeout,
                    "seconds a client has to send a request's head (and keep-alive idle time; "
                    "default 5)");
    cmd->add_option("--request-timeout", opts->request_timeout,
                    "seconds a client has to send the rest of a request (default 10)");
    cmd->add_option("--max-connections", opts->max_connections,
                    "connections served at once (default 1024, at most 64 per client address; "
                    "when full, the one waiting longest for its request is closed)");
    cmd->callback([&ctx, opts] { ctx.action = [&ctx, opts] { return serve(ctx, *opts); }; });
}

} // namespace smtpprobe::cli
