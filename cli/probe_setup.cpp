// Command-line session options -> the one probe pipeline's requests and options.
#include "cli/probe_setup.hpp"

#include "cli/monitor_context.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <filesystem>

namespace smtpprobe::cli {

void add_session_options(CLI::App& app, SessionCliOptions& o)
{
    app.add_option("--source", o.source, "bind this local IP (probe from the IP that matters)");
    app.add_flag("-4", o.ipv4, "IPv4 only");
    app.add_flag("-6", o.ipv6, "IPv6 only");
    app.add_option("--helo", o.helo,
                   "HELO/EHLO name (default: PTR of the source IP, else the identity's helo, "
                   "else the host name)");
    app.add_option("--from", o.from,
                   "envelope sender (default: the identity's, else "
                   "postmaster@HELO)");
    app.add_option("--rcpt", o.rcpt, "recipient (default: the receiver's, else postmaster@TARGET)");
    app.add_option("--tls", o.tls, "STARTTLS: off | auto | require | require-valid")
        ->check(CLI::IsMember({"off", "auto", "require", "require-valid"}));
    app.add_option("--port", o.port, "SMTP port when the target gives none")
        ->check(CLI::Range(1, 65535));
    app.add_option("--timeout", o.timeouts,
                   "stage deadline STAGE=SECONDS (STAGE: one of the defaults below, or all); "
                   "defaults: " +
                       probe::default_deadlines_text())
        ->take_all();
    app.add_flag("--send", o.send, "allow DATA (a real message) when the script has it");
    app.add_flag("--no-store", o.no_store, "do not record the session in the history");
    app.add_flag("--no-pipelining", o.no_pipelining,
                 "one command, one reply, even where the script pipelines (RFC 2920)");
    app.add_flag("--ignore-min-interval", o.ignore_min_interval,
                 "probe a configured receiver even within its min_interval, its "
                 "fleet_min_interval or beyond its fleet_concurrency (a person's explicit "
                 "choice; the schedule of `run` never does)");
}

namespace {

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool has_bad_char(const std::string& s)
{
    return s.find_first_of(std::string_view("\r\n\0 <>", 6)) != std::string::npos;
}

const config::Identity* identity_of(const config::Config& config, const std::string& ip)
{
    for (const config::Identity& identity : config.identities) {
        if (identity.ip == ip) {
            return &identity;
        }
    }
    return nullptr;
}

const config::Receiver* receiver_named_by(const config::Config& config, const std::string& target)
{
    const std::string wanted = lower(target);
    for (const config::Receiver& receiver : config.receivers) {
        for (const std::string& name : {receiver.target(), receiver.domain, receiver.mx}) {
            if (!name.empty() && lower(name) == wanted) {
                return &receiver;
            }
        }
    }
    return nullptr;
}

void apply_overrides(const SessionCliOptions& o, probing::ProbeRequest& request)
{
    if (!o.helo.empty()) {
        request.helo = o.helo;
    }
    if (!o.from.empty()) {
        request.from = o.from;
    }
    if (!o.rcpt.empty()) {
        request.rcpt = o.rcpt;
    }
}

void check_source(const SessionCliOptions& o)
{
    if (o.ipv4 && o.ipv6) {
        throw UsageError("-4 and -6 exclude each other");
    }
    if (o.source.empty()) {
        return;
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(o.source, ec);
    if (ec) {
        throw UsageError("--source: '" + o.source + "' is not an IP address");
    }
    if ((o.ipv4 && !address.is_v4()) || (o.ipv6 && !address.is_v6())) {
        throw UsageError("--source " + o.source + " does not match -4/-6");
    }
}

} // namespace

probing::PipelineOptions pipeline_options(const Context& ctx, const config::Config& config,
                                          const SessionCliOptions& o, probe::Script script)
{
    probing::PipelineOptions options;
    if (std::string why = probe::validate_script(script, o.send); !why.empty()) {
        // Refused for every request: a usage error, not a finding (nothing was sent). A config
        // receiver's allow_data does not count here: a person asked on the command line.
        throw UsageError(why);
    }
    options.script = std::move(script);
    for (const std::string& spec : o.timeouts) {
        std::string error;
        if (!options.limits.set(spec, &error)) {
            throw UsageError(error);
        }
    }
    options.tls = probe::parse_tls_mode(o.tls).value_or(probe::TlsMode::opportunistic);
    options.pipelining = !o.no_pipelining;
    check_source(o);
    options.family = o.ipv4 ? dns::IpFamily::v4 : o.ipv6 ? dns::IpFamily::v6 : dns::IpFamily::any;
    options.send = o.send;
    options.store = !o.no_store;
    options.ignore_min_interval = o.ignore_min_interval;
    options.dns_server = config.dns_server_for(ctx.global.dns_server);
    try {
        (void)dns::resolver_options(options.dns_server);
    } catch (const std::invalid_argument& e) {
        throw UsageError(ctx.global.dns_server.empty() ? std::string("config: ") + e.what()
                                                       : std::string("--dns-server: ") + e.what());
    }
    for (const std::string* value : {&o.helo, &o.from, &o.rcpt}) {
        if (has_bad_char(*value)) {
            throw UsageError("--helo/--from/--rcpt: '" + *value +
                             "' contains a space, '<', '>', CR or LF");
        }
    }
    return options;
}

probing::ProbeRequest explicit_request(const config::Config& config, const SessionCliOptions& o,
                                       const std::string& target)
{
    check_source(o);
    std::string error;
    auto parsed = probe::parse_target(target, static_cast<std::uint16_t>(o.port), &error);
    if (!parsed) {
        throw UsageError(error);
    }
    probing::ProbeRequest request;
    request.target = parsed->text;
    if (const config::Receiver* receiver = receiver_named_by(config, target)) {
        request.receiver = receiver->name;
        request.min_interval = receiver->min_interval;
        request.fleet_min_interval = receiver->fleet_spacing();
        request.fleet_concurrency = receiver->fleet_concurrency;
        request.allow_data = receiver->allow_data;
        request.rcpt = receiver->recipient;
    }
    const config::Identity* identity = nullptr;
    if (!o.source.empty()) {
        request.source_ip = o.source;
        identity = identity_of(config, o.source);
    } else if (config.identities.size() == 1) {
        identity = &config.identities.front();
        request.source_ip = identity->ip;
    }
    if (identity != nullptr) {
        request.configured_helo = identity->helo;
        request.from = identity->mail_from;
    }
    apply_overrides(o, request);
    return request;
}

std::vector<probing::ProbeRequest> config_requests(const config::Config& config,
                                                   const SessionCliOptions& o)
{
    check_source(o);
    std::vector<probing::ProbeRequest> requests;
    for (const config::Receiver& receiver : config.receivers) {
        if (!receiver.enabled) {
            continue;
        }
        for (const config::Identity& identity : config.identities_for(receiver)) {
            if (!o.source.empty() && identity.ip != o.source && !identity.ip.empty()) {
                continue; // --source picks the identity to probe from
            }
            probing::ProbeRequest request;
            request.target = receiver.target();
            request.receiver = receiver.name;
            request.min_interval = receiver.min_interval;
            request.fleet_min_interval = receiver.fleet_spacing();
            request.fleet_concurrency = receiver.fleet_concurrency;
            request.allow_data = receiver.allow_data;
            request.rcpt = receiver.recipient;
            request.source_ip = identity.ip.empty() ? o.source : identity.ip;
            request.configured_helo = identity.helo;
            request.from = identity.mail_from;
            apply_overrides(o, request);
            requests.push_back(std::move(request));
        }
    }
    return requests;
}

std::unique_ptr<store::Database> probe_database(const Context& ctx, const config::Config& config,
                                                const SessionCliOptions& options)
{
    const std::string path = monitor_db_path(ctx.global, config);
    if (!options.no_store) {
        return std::make_unique<store::Database>(path);
    }
    // --no-store writes nothing, but the minimum intervals of the history still hold.
    if (!store::history_exists(path)) {
        return nullptr;
    }
    return std::make_unique<store::Database>(path, store::Database::Mode::read_only);
}

} // namespace smtpprobe::cli
