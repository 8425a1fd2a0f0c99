// Request routing, token check and error mapping (see router.hpp).
#include "web/http/router.hpp"

#include "probe/embedded_file.hpp"
#include "probe/text/json_output.hpp"
#include "web/api/api.hpp"
#include "web/http/query.hpp"
#include "web/metrics/metrics.hpp"

#include <charconv>
#include <ctime>
#include <memory>
#include <openssl/crypto.h>
#include <optional>
#include <span>

namespace smtpprobe {
std::span<const EmbeddedFile> embedded_assets();
}

namespace smtpprobe::web {
namespace {

constexpr std::string_view k_cookie_name = "smtpprobe_token";

std::string dump(const Json& document)
{
    return json_text(document);
}

HttpReply json_reply(unsigned status, const Json& document)
{
    HttpReply reply;
    reply.status = status;
    reply.content_type = "application/json";
    reply.body = dump(document);
    reply.body += '\n';
    reply.headers.emplace_back("Cache-Control", "no-store");
    return reply;
}

HttpReply error_reply(unsigned status, std::string_view message)
{
    return json_reply(status, Json{{"error", message}, {"status", status}});
}

std::string_view content_type_for(std::string_view name)
{
    auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    if (ends(".html")) {
        return "text/html; charset=utf-8";
    }
    if (ends(".js")) {
        return "text/javascript; charset=utf-8";
    }
    if (ends(".css")) {
        return "text/css; charset=utf-8";
    }
    if (ends(".svg")) {
        return "image/svg+xml";
    }
    if (ends(".png")) {
        return "image/png";
    }
    return "application/octet-stream";
}

// Only names compiled into the binary exist: no file system, so no traversal.
const EmbeddedFile* find_asset(std::string_view name)
{
    for (const auto& file : embedded_assets()) {
        if (file.name == name) {
            return &file;
        }
    }
    return nullptr;
}

// One read-only connection per serving thread, opened on first use, with the thread's cache
// of /api/status: that answer is asked for constantly (monitoring, the pages) and only
// changes when another connection commits (PRAGMA data_version) or the second turns.
struct ThreadState {
    std::unique_ptr<store::Database> db;
    std::string path;
    std::optional<store::ChangeCounter> data_version;
    std::int64_t status_version = -1;
    std::time_t status_second = 0;
    std::string status_body;
};

ThreadState& thread_state(const std::string& path)
{
    thread_local ThreadState state;
    if (!state.db || state.path != path) {
        state.data_version.reset();
        state.db = std::make_unique<store::Database>(path, store::Database::Mode::read_only);
        state.db->map_for_repeated_reads();
        state.path = path;
        state.data_version.emplace(*state.db);
        state.status_version = -1;
    }
    return state;
}

store::Database& thread_connection(const std::string& path)
{
    return *thread_state(path).db;
}

HttpReply status_reply(const std::string& path, const Query& query)
{
    query.allow_only({});
    ThreadState& state = thread_state(path);
    std::int64_t version = state.data_version->read();
    std::time_t now = std::time(nullptr);
    if (version != state.status_version || now != state.status_second) {
        state.status_body = dump(api_status(*state.db, query)) + "\n";
        state.status_version = version;
        state.status_second = now;
    }
    HttpReply reply = json_reply(200, Json::object());
    reply.body = state.status_body;
    return reply;
}

bool equal_secret(std::string_view given, std::string_view expected)
{
    return given.size() == expected.size() &&
           CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

std::string_view cookie_value(std::string_view header, std::string_view name)
{
    while (!header.empty()) {
        auto semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
            pair[name.size()] == '=') {
            return pair.substr(name.size() + 1);
        }
    }
    return {};
}

HttpReply api_reply(const std::string& db_path, const config::Config& config, const Query& query)
{
    using Endpoint = Json (*)(Database&, const Query&);
    static const std::pair<std::string_view, Endpoint> k_endpoints[] = {
        {"/api/episodes", api_episodes}, {"/api/evidence", api_evidence},
        {"/api/probes", api_probes},     {"/api/notes", api_notes},
        {"/api/ingest", api_ingest},     {"/api/hygiene", api_hygiene},
        {"/api/reports", api_reports},
    };
    const std::string& path = query.path();
    if (path == "/api/status") {
        return status_reply(db_path, query);
    }
    if (path == "/api/overview") {
        return json_reply(200, api_overview(thread_connection(db_path), config, query));
    }
    if (path == "/api/dnsbl") {
        return json_reply(200, api_dnsbl(thread_connection(db_path), config, query));
    }
    if (path == "/api/timeline") {
        HttpReply reply = json_reply(200, Json::object());
        reply.body = api_timeline(thread_connection(db_path), query);
        reply.body += '\n';
        return reply;
    }
    for (const auto& [name, endpoint] : k_endpoints) {
        if (path == name) {
            return json_reply(200, endpoint(thread_connection(db_path), query));
        }
    }
    constexpr std::string_view probe_prefix = "/api/probes/";
    if (path.size() > probe_prefix.size() &&
        path.compare(0, probe_prefix.size(), probe_prefix) == 0) {
        std::string_view digits = std::string_view(path).substr(probe_prefix.size());
        std::int64_t id = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
        if (ec != std::errc() || end != digits.data() + digits.size() || id < 1) {
            throw BadRequest("probe id must be a positive integer");
        }
        query.allow_only({});
        return json_reply(200, api_probe(thread_connection(db_path), id));
    }
    throw NotFound("no such endpoint (see web/API.md)");
}

} // namespace

Router::Router(RouterOptions options)
    : m_options(std::move(options)), m_hosts(m_options.listen_address, m_options.allowed_hosts)
{
}

bool Router::authorised(const HttpRequest& request, bool& set_cookie) const
{
    set_cookie = false;
    if (m_options.token.empty()) {
        return true;
    }
    constexpr std::string_view bearer = "Bearer ";
    if (request.authorization.size() > bearer.size() &&
        request.authorization.substr(0, bearer.size()) == bearer &&
        equal_secret(request.authorization.substr(bearer.size()), m_options.token)) {
        return true;
    }
    if (equal_secret(cookie_value(request.cookie, k_cookie_name), m_options.token)) {
        return true;
    }
    Query query(request.target);
    if (auto given = query.text("token"); given && equal_secret(*given, m_options.token)) {
        set_cookie = true;
        return true;
    }
    return false;
}

HttpReply Router::handle(const HttpRequest& request) const
{
    HttpReply reply;
    try {
        if (!m_hosts.allows(request.host)) {
            // 421 Misdirected Request: this server does not answer for that name.
            return error_reply(421, "this server does not answer for Host '" +
                                        std::string(request.host.substr(0, 100)) +
                                        "' (use its address, or start serve with "
                                        "--allow-host NAME)");
        }
        if (request.method != "GET" && request.method != "HEAD") {
            reply = error_reply(405, "only GET and HEAD are served");
            reply.headers.emplace_back("Allow", "GET, HEAD");
            return reply;
        }
        bool set_cookie = false;
        if (!authorised(request, set_cookie)) {
            reply = error_reply(401, "missing or wrong token (Authorization: Bearer TOKEN, "
                                     "or open the dashboard once with ?token=TOKEN)");
            reply.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"smtpprobe\"");
            return reply;
        }
        reply = dispatch(request);
        if (set_cookie) {
            reply.headers.emplace_back("Set-Cookie", std::string(k_cookie_name) + "=" +
                                                         m_options.token +
                                                         "; Path=/; HttpOnly; SameSite=Strict");
        }
    } catch (const BadRequest& e) {
        reply = error_reply(400, e.what());
    } catch (const NotFound& e) {
        reply = error_reply(404, e.what());
    } catch (const store::StoreError& e) {
        // The database is busy, missing or damaged: the server is fine, the data is not.
        reply = error_reply(503, std::string("database: ") + e.what());
    } catch (const std::exception& e) {
        reply = error_reply(500, std::string("internal error: ") + e.what());
    }
    return reply;
}

bool Router::queries_store(const HttpRequest& request) const
{
    const std::string_view path = request.target.substr(0, request.target.find('?'));
    return path == "/metrics" || (path.starts_with("/api/") && path != "/api/status");
}

HttpReply Router::dispatch(const HttpRequest& request) const
{
    Query query(request.target);
    const std::string& path = query.path();
    if (path.compare(0, 5, "/api/") == 0) {
        return api_reply(m_options.db_path, m_options.config, query);
    }
    if (path == "/metrics") {
        query.allow_only({});
        HttpReply reply;
        reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
        reply.body = render_metrics(thread_connection(m_options.db_path), m_options.config);
        reply.headers.emplace_back("Cache-Control", "no-store");
        return reply;
    }
    if (path.empty() || path[0] != '/') {
        throw NotFound("no such page");
    }
    std::string_view name =
        path == "/" ? std::string_view("index.html") : std::string_view(path).substr(1);
    const EmbeddedFile* asset = find_asset(name);
    if (!asset) {
        throw NotFound("no such page");
    }
    HttpReply reply;
    reply.content_type = content_type_for(name);
    reply.body = asset->data;
    reply.headers.emplace_back("Cache-Control", "no-cache");
    return reply;
}

} // namespace smtpprobe::web
