// Entry validation for the config loader (see config_checks.hpp).
#include "monitor/config/config_checks.hpp"

#include "probe/printable.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace smtpprobe::config {

namespace {

bool is_email(const std::string& text)
{
    auto at = text.rfind('@');
    return at != std::string::npos && at > 0 && at + 1 < text.size() &&
           text.find_first_of(" <>\t\r\n") == std::string::npos &&
           is_host_name(text.substr(at + 1));
}

bool is_port(std::string_view text)
{
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return ec == std::errc() && end == text.data() + text.size() && port > 0 && port < 65536;
}

// "host", "host:port", "IP", "IPv4:port", "[IPv6]:port", "IPv6".
bool is_host_port(const std::string& text)
{
    if (text.empty()) {
        return false;
    }
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || !is_ip_address(text.substr(1, close - 1))) {
            return false;
        }
        return close + 1 == text.size() ||
               (text[close + 1] == ':' && is_port(std::string_view(text).substr(close + 2)));
    }
    if (is_ip_address(text)) {
        return true;
    }
    auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        return is_host_name(text);
    }
    std::string host = text.substr(0, colon);
    return (is_host_name(host) || is_ip_address(host)) &&
           is_port(std::string_view(text).substr(colon + 1));
}

} // namespace

bool is_ip_address(const std::string& text)
{
    boost::system::error_code ec;
    boost::asio::ip::make_address(text, ec);
    return !ec;
}

bool is_host_name(const std::string& text)
{
    std::string name = text;
    if (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    if (name.empty() || name.size() > 253) {
        return false;
    }
    std::size_t label = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            if (label == 0 || label > 63 || name[i - 1] == '-') {
                return false;
            }
            label = 0;
            continue;
        }
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok || (label == 0 && c == '-')) {
            return false;
        }
        ++label;
    }
    return true;
}

void check_identity(TomlReader& r, const Identity& id)
{
    if (id.ip.empty()) {
        r.problem("ip", "an identity needs its sending IP");
    } else if (!is_ip_address(id.ip)) {
        r.problem("ip", "\"" + id.ip + "\" is not an IPv4 or IPv6 address");
    }
    if (!id.helo.empty() && !is_host_name(id.helo)) {
        r.problem("helo", "\"" + id.helo + "\" is not a host name");
    }
    if (!id.mail_from.empty() && !is_email(id.mail_from)) {
        r.problem("mail_from", "\"" + id.mail_from + "\" is not an address like user@domain");
    }
}

void check_receiver(TomlReader& r, const Receiver& rc, const std::vector<Identity>& identities)
{
    if (rc.domain.empty() && rc.mx.empty()) {
        r.problem("domain", "a receiver needs a domain (MX lookup) or an explicit mx");
    }
    if (!rc.domain.empty() && !is_host_name(rc.domain)) {
        r.problem("domain", "\"" + rc.domain + "\" is not a domain name");
    }
    if (!rc.mx.empty() && !is_host_port(rc.mx)) {
        r.problem("mx", "\"" + rc.mx + "\" is not HOST, HOST:PORT or [IPV6]:PORT");
    }
    if (rc.recipient.empty()) {
        r.problem("recipient", "a receiver needs a recipient address to probe");
    } else if (!is_email(rc.recipient)) {
        r.problem("recipient", "\"" + rc.recipient + "\" is not an address like user@domain");
    }
    bool script_ok =
        !rc.script.empty() && std::all_of(rc.script.begin(), rc.script.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
    if (!script_ok) {
        r.problem("script", "\"" + rc.script + "\" is not a script name (like \"block-check\")");
    }
    if (rc.min_interval > rc.interval) {
        r.problem("min_interval", "min_interval must not exceed interval");
    }
    if (rc.fleet_min_interval && *rc.fleet_min_interval > rc.interval) {
        r.problem("fleet_min_interval",
                  "fleet_min_interval (the least time between two probes of this receiver from "
                  "the whole fleet) must not exceed interval");
    }
    for (const std::string& name : rc.identities) {
        bool found = std::any_of(identities.begin(), identities.end(),
                                 [&](const Identity& id) { return id.name == name; });
        if (!found) {
            r.problem("identities", "no [[identity]] named \"" + name + "\"");
        }
    }
}

void check_code(TomlReader& r, const DnsblCode& code)
{
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(code.code, ec);
    if (ec || !address.is_v4() || (address.to_v4().to_uint() >> 24) != 127) {
        r.problem("code", "\"" + code.code + "\" is not a 127.x.y.z answer");
    }
    if (code.kind != "listed" && code.kind != "policy" && code.kind != "clean" &&
        code.kind != "error") {
        r.problem("kind", "\"" + code.kind + "\" must be listed, policy, clean or error");
    }
}

void check_zone(TomlReader& r, const DnsblZone& zone)
{
    if (zone.zone.empty()) {
        r.problem("zone", "a DNSBL needs its zone (like \"zen.spamhaus.org\")");
    } else if (!is_host_name(zone.zone)) {
        r.problem("zone", "\"" + zone.zone + "\" is not a DNS zone name");
    }
    if (!zone.delist_url.empty() && zone.delist_url.rfind("http://", 0) != 0 &&
        zone.delist_url.rfind("https://", 0) != 0) {
        r.problem("delist_url", "must start with http:// or https://");
    }
    if (zone.use_dqs && !zone.dqs_zone.empty() && !is_host_name(zone.dqs_zone)) {
        r.problem("dqs_zone", "\"" + zone.dqs_zone + "\" is not a DNS zone name");
    }
}

bool is_header_name(std::string_view name)
{
    return !name.empty() && name.size() <= 256 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
}

bool is_header_value(std::string_view value)
{
    return value.size() <= 8192 && std::all_of(value.begin(), value.end(), [](char c) {
               const auto b = static_cast<unsigned char>(c);
               return b == '\t' || (b >= 0x20 && b != 0x7F);
           });
}

bool is_webhook_url(const std::string& url)
{
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        return false;
    }
    const bool printable_ascii = std::all_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7F;
    });
    return printable_ascii && is_host_port(rest.substr(0, rest.find('/')));
}

void check_webhook(TomlReader& r, const Webhook& hook)
{
    if (hook.url.rfind("https://", 0) != 0 && hook.url.rfind("http://", 0) != 0) {
        r.problem("url", hook.url.empty() ? std::string("a webhook needs a url")
                                          : "\"" + hook.url +
                                                "\" must start with https:// or "
                                                "http://");
    } else if (!is_webhook_url(hook.url)) {
        r.problem("url", "\"" + printable(hook.url, 200) +
                             "\" needs a valid host[:port] and no spaces or control characters");
    }
    // The request's framing and target are ours: a header may not change them.
    static constexpr std::string_view k_ours[] = {"host", "content-length", "transfer-encoding",
                                                  "content-type", "connection"};
    for (const auto& [name, value] : hook.headers) {
        if (!is_header_name(name)) {
            r.problem("headers", "\"" + printable(name, 100) +
                                     "\" is not an HTTP header name (letters, digits and "
                                     "!#$%&'*+-.^_`|~ only)");
            continue;
        }
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
        if (std::find(std::begin(k_ours), std::end(k_ours), lower) != std::end(k_ours)) {
            r.problem("headers", "\"" + name + "\" is set by smtpprobe itself");
        }
        if (!is_header_value(value)) {
            r.problem("headers",
                      "the value of \"" + name + "\" holds a control character (CR, LF, NUL ...)");
        }
    }
}

void check_command(TomlReader& r, const std::string& key, const std::string& command)
{
    if (command.empty()) {
        r.problem(key, "the command must not be empty");
        return;
    }
    const bool one_line = std::all_of(command.begin(), command.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b == '\t' || (b >= 0x20 && b != 0x7F);
    });
    if (!one_line) {
        r.problem(key, "the command holds a control character (CR, LF, NUL ...): it must be one "
                       "line");
        return;
    }
    // The program is the first word when that is a plain word; shell syntax (a variable
    // assignment, quotes, a subshell) is left to the shell.
    const std::size_t start = command.find_first_not_of(" \t");
    if (start == std::string::npos) {
        r.problem(key, "the command must not be empty");
        return;
    }
    const std::string program = command.substr(start, command.find_first_of(" \t", start) - start);
    const bool plain = std::all_of(program.begin(), program.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("._/+-").find(c) != std::string_view::npos;
    });
    // Shell builtins and keywords run without a program file.
    static constexpr std::string_view k_shell_words[] = {
        ".",    "cd",  "command", "eval", "exec", "exit",  "export", "for",   "if",
        "read", "set", "test",    "trap", "true", "false", "umask",  "until", "while"};
    if (!plain || std::find(std::begin(k_shell_words), std::end(k_shell_words), program) !=
                      std::end(k_shell_words)) {
        return;
    }
    if (program.find('/') != std::string::npos) {
        if (program.front() != '/') {
            r.problem(key, "\"" + program +
                               "\" is a relative path: give the program's absolute path (the "
                               "command runs from whatever directory smtpprobe runs in)");
        } else if (access(program.c_str(), X_OK) != 0 ||
                   !std::filesystem::is_regular_file(program)) {
            r.problem(key, "\"" + program + "\" is not an executable file");
        }
        return;
    }
    const char* path = std::getenv("PATH");
    std::string dirs =
        path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (std::size_t at = 0; at <= dirs.size();) {
        std::size_t end = dirs.find(':', at);
        if (end == std::string::npos) {
            end = dirs.size();
        }
        const std::string candidate = dirs.substr(at, end - at) + "/" + program;
        if (end > at && access(candidate.c_str(), X_OK) == 0 &&
            std::filesystem::is_regular_file(candidate)) {
            return;
        }
        at = end + 1;
    }
    r.problem(key, "no program \"" + program + "\" on PATH (give its absolute path)");
}

void check_mail(TomlReader& r, const MailAlert& mail)
{
    if (mail.to.empty()) {
        r.problem("to", "a mail alert needs at least one recipient in to = [...]");
    }
    for (const std::string& to : mail.to) {
        if (!is_email(to)) {
            r.problem("to", "\"" + to + "\" is not an address like user@domain");
        }
    }
    if (!mail.from.empty() && !is_email(mail.from)) {
        r.problem("from", "\"" + mail.from + "\" is not an address like user@domain");
    }
    check_command(r, "sendmail", mail.sendmail);
}

void check_log(TomlReader& r, const LogSource& log)
{
    if (log.path.empty()) {
        r.problem("path", "a log source needs a path");
    }
    if (log.format != "auto" && log.format != "sendmail" && log.format != "postfix" &&
        log.format != "exim" && log.format != "opensmtpd") {
        r.problem("format",
                  "\"" + log.format + "\" must be auto, sendmail, postfix, exim or opensmtpd");
    }
}

void check_dns_server(TomlReader& r, const std::string& server)
{
    if (server.empty() || is_ip_address(server)) {
        return;
    }
    bool ok = false;
    if (server.front() == '[') {
        ok = is_host_port(server);
    } else if (auto colon = server.rfind(':'); colon != std::string::npos) {
        ok = is_ip_address(server.substr(0, colon)) &&
             is_port(std::string_view(server).substr(colon + 1));
    }
    if (!ok) {
        r.problem("dns_server", "\"" + server + "\" is not ADDR, ADDR:PORT or [V6]:PORT");
    }
}

void check_node_name(TomlReader& r, const std::string& node)
{
    const bool ok =
        node.size() <= 253 && std::all_of(node.begin(), node.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        });
    if (!ok) {
        r.problem("node", "a node name is at most 253 letters, digits, '.', '-' and '_'");
    }
}

void check_snds(TomlReader& r, const SndsSettings& snds)
{
    if (!snds.key.empty() && !snds.key_file.empty()) {
        r.problem("key", "give the SNDS key either inline (key) or in a file (key_file), not both");
    }
    for (char c : snds.key) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
            // Never echo the key: only say what is wrong with it.
            r.problem("key", "the SNDS key holds a character other than letters, digits and '-'");
            break;
        }
    }
    if (snds.url.rfind("https://", 0) != 0) {
        r.problem("url", "\"" + snds.url + "\" must start with https:// (the key travels in it)");
    } else if (!is_host_port(snds.url.substr(8, snds.url.find('/', 8) - 8))) {
        r.problem("url", "\"" + snds.url + "\" has no valid host[:port]");
    }
}

} // namespace smtpprobe::config
