// Shared setup of probe runs: options -> SessionOptions, default HELO, storing.
#include "cli/probe_setup.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/store/database.hpp"
#include "probe/limits.hpp"
#include "probe/tls_facts.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <random>
#include <unistd.h>

namespace smtpprobe::cli {

namespace asio = boost::asio;

void add_session_options(CLI::App& app, SessionCliOptions& o)
{
    app.add_option("--source", o.source, "bind this local IP (probe from the IP that matters)");
    app.add_flag("-4", o.ipv4, "IPv4 only");
    app.add_flag("-6", o.ipv6, "IPv6 only");
    app.add_option("--helo", o.helo, "HELO/EHLO name (default: PTR of --source, else host name)");
    app.add_option("--from", o.from, "envelope sender (default: smtpprobe@HELO)");
    app.add_option("--rcpt", o.rcpt, "recipient (default: postmaster@TARGET)");
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
}

ProbeSetup::ProbeSetup() : tls_context(probe::make_client_tls_context()) {}

namespace {

std::string random_envid()
{
    std::random_device rd;
    std::uniform_int_distribution<std::uint64_t> dist;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(dist(rd)));
    return std::string("smtpprobe.") + buf;
}

std::string local_host_name()
{
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name;
}

// The PTR name of the source IP (what a receiver expects as HELO), or "".
std::string ptr_name(ProbeSetup& setup, const asio::ip::address& source)
{
    auto future = asio::co_spawn(setup.io, setup.resolver->query_ptr(source), asio::use_future);
    setup.io.run();
    setup.io.restart();
    dns::Answer answer = future.get();
    if (answer.status == dns::Status::ok && !answer.texts.empty()) {
        std::string name = answer.texts.front();
        if (!name.empty() && name.back() == '.') {
            name.pop_back();
        }
        return name;
    }
    return {};
}

bool has_line_break(const std::string& s)
{
    return s.find_first_of(std::string_view("\r\n\0 <>", 6)) != std::string::npos;
}

} // namespace

std::unique_ptr<ProbeSetup> prepare_probe(const Context& ctx, const SessionCliOptions& o,
                                          probe::Script script,
                                          const std::vector<std::string>& targets)
{
    auto setup = std::make_unique<ProbeSetup>();
    auto& s = setup->session;
    if (std::string why = probe::validate_script(script, o.send); !why.empty()) {
        throw UsageError(why);
    }
    s.script = std::move(script);
    for (const auto& spec : o.timeouts) {
        std::string error;
        if (!s.limits.set(spec, &error)) {
            throw UsageError(error);
        }
    }
    s.tls = probe::parse_tls_mode(o.tls).value_or(probe::TlsMode::opportunistic);
    s.pipelining = !o.no_pipelining;
    if (o.ipv4 && o.ipv6) {
        throw UsageError("-4 and -6 exclude each other");
    }
    s.family = o.ipv4 ? dns::IpFamily::v4 : o.ipv6 ? dns::IpFamily::v6 : dns::IpFamily::any;
    if (!o.source.empty()) {
        boost::system::error_code ec;
        auto a = asio::ip::make_address(o.source, ec);
        if (ec) {
            throw UsageError("--source: '" + o.source + "' is not an IP address");
        }
        if ((o.ipv4 && !a.is_v4()) || (o.ipv6 && !a.is_v6())) {
            throw UsageError("--source " + o.source + " does not match -4/-6");
        }
        s.source = a;
    }
    dns::ResolverOptions ropts;
    if (!ctx.global.dns_server.empty()) {
        std::string error;
        auto server = dns::parse_server_address(ctx.global.dns_server, &error);
        if (!server) {
            throw UsageError(error);
        }
        ropts.server = *server;
    }
    setup->resolver = std::make_unique<dns::Resolver>(setup->io.get_executor(), ropts);
    for (const auto& text : targets) {
        std::string error;
        auto t = probe::parse_target(text, static_cast<std::uint16_t>(o.port), &error);
        if (!t) {
            throw UsageError(error);
        }
        setup->targets.push_back(*t);
    }
    s.values.helo = o.helo;
    if (s.values.helo.empty() && s.source) {
        s.values.helo = ptr_name(*setup, *s.source);
    }
    if (s.values.helo.empty()) {
        s.values.helo = local_host_name();
    }
    s.values.from = o.from.empty() ? "smtpprobe@" + s.values.helo : o.from;
    s.values.rcpt = o.rcpt;
    for (const auto* v : {&s.values.helo, &s.values.from, &s.values.rcpt}) {
        if (has_line_break(*v)) {
            throw UsageError("--helo/--from/--rcpt: '" + *v +
                             "' contains a space, '<', '>', CR or LF");
        }
    }
    s.values.envid = random_envid();
    s.tls_context = &setup->tls_context;
    return setup;
}

store::ProbeAnnotations classify_decisive(const probe::ProbeResult& result)
{
    store::ProbeAnnotations a;
    // CLASSIFICATION CALL SITE: the one place where the decisive reply of a probe becomes
    // provider / scope / reason / provider code (the probe layer reports mechanism only).
    if (!result.decisive) {
        return a;
    }
    const probe::Reply& reply = *result.decisive;
    std::string text = reply.text();
    classify::Input input;
    input.reply_code = reply.code;
    input.enhanced = reply.enhanced;
    input.text = text;
    input.remote_host = result.mx_host;
    classify::Result c = classify::Classifier::current().classify(input);
    a.provider = c.provider;
    a.scope = c.scope;
    a.reason = c.reason;
    a.provider_code = c.provider_code;
    return a;
}

void store_results(const Context& ctx, const SessionCliOptions& options,
                   const std::vector<probe::ProbeResult>& results,
                   const std::vector<store::ProbeAnnotations>& annotations)
{
    if (options.no_store || results.empty()) {
        return;
    }
    store::Database db(db_path(ctx.global));
    for (std::size_t i = 0; i < results.size(); ++i) {
        store::store_probe_result(
            db, results[i], i < annotations.size() ? annotations[i] : store::ProbeAnnotations{});
    }
}

} // namespace smtpprobe::cli
