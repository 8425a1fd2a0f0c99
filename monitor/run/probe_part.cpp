// The probe part of a tick: every (receiver, identity) whose schedule says it is due gets one
// scripted session (never DATA: a script with DATA is refused), all concurrently on one
// io_context. Each result is stored (probe_store), classified once, and becomes evidence:
// blocked when the decisive reply says the receiver refuses us, clear when the dialogue
// completed with a 2xx decisive reply, unknown otherwise (timeouts, greylisting, DNS). The
// scope comes from the host that answered, so refusals and acceptances of one receiver
// cluster land in the same scope.
#include "monitor/run/run_parts.hpp"
#include "monitor/run/run_schedule.hpp"
#include "monitor/scripts/script_file.hpp"
#include "monitor/store/probe_store.hpp"
#include "probe/dns/resolver.hpp"
#include "probe/printable.hpp"
#include "probe/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <random>
#include <unistd.h>

namespace smtpprobe::monitor {

namespace {

namespace asio = boost::asio;

struct Job {
    const config::Receiver* receiver;
    config::Identity identity;
    std::string task;
    probe::SessionOptions options;
    probe::Target target;
    std::optional<probe::ProbeResult> result;
};

std::string host_name()
{
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

std::string random_envid()
{
    std::random_device seed;
    std::uniform_int_distribution<unsigned long long> pick;
    char buf[32];
    std::snprintf(buf, sizeof buf, "smtpprobe-%016llx", pick(seed));
    return buf;
}

bool due(TickContext& tick, const config::Receiver& receiver, const std::string& task)
{
    if (!tick.force) {
        return task_due(tick.db, task, tick.now);
    }
    // --now still never probes a receiver more often than its minimum interval.
    auto last = task_last_run(tick.db, task);
    auto when = last ? parse_iso_utc(*last) : std::nullopt;
    return !when || *when + receiver.min_interval <= tick.now;
}

probe::Script script_for(const TickContext& tick, const std::string& name)
{
    if (auto builtin = probe::builtin_script(name)) {
        return *builtin;
    }
    if (!tick.config.source.empty()) {
        if (auto configured = scripts::load_config_script(tick.config.source, name)) {
            return *configured;
        }
    }
    throw std::runtime_error("no script named \"" + name + "\"");
}

// Classifies the decisive reply and writes the evidence row of a stored run.
void record(TickContext& tick, const Job& job, const probe::ProbeResult& r)
{
    classify::Result c;
    if (r.decisive) {
        classify::Input in;
        in.reply_code = r.decisive->code;
        in.enhanced = r.decisive->enhanced;
        std::string text = r.decisive->text();
        in.text = text;
        in.remote_host = r.mx_host;
        c = tick.classifier.classify(in);
    }
    std::string scope;
    if (!r.mx_host.empty()) {
        scope = classify::receiver_for_host(r.mx_host).scope;
        if (scope.empty()) {
            scope = "host/" + r.mx_host;
        }
    }
    store::ProbeAnnotations a{c.provider, scope, std::string(c.reason), c.provider_code, "", ""};
    std::int64_t id = store::store_probe_result(tick.db, r, a);
    if (scope.empty()) {
        return; // nothing answered: no receiver to attribute anything to
    }
    std::string verdict = "unknown";
    if (r.decisive && c.is_block()) {
        verdict = "blocked";
    } else if (r.outcome == probe::Outcome::completed && r.decisive && r.decisive->code >= 200 &&
               r.decisive->code < 300) {
        verdict = "clear";
    }
    std::string ip = !r.source_ip.empty() ? r.source_ip : job.identity.ip;
    if (!job.identity.ip.empty()) {
        ip = job.identity.ip; // the configured identity is what the user reasons about
    }
    tick.db
        .prepare("INSERT OR IGNORE INTO evidence(time, ip, scope, verdict, reason, provider_code, "
                 "source_kind, source_id) VALUES (?, ?, ?, ?, ?, ?, 'probe', ?)")
        .bind(1, probe::iso8601(r.started_at))
        .bind(2, ip)
        .bind(3, scope)
        .bind(4, verdict)
        .bind(5, c.reason.empty() ? std::string(probe::outcome_name(r.outcome)) : c.reason)
        .bind(6, c.provider_code)
        .bind(7, id)
        .run();
}

} // namespace

PartResult run_due_probes(TickContext& tick)
{
    PartResult part{"probes", false, true, ""};
    std::vector<Job> jobs;
    for (const config::Receiver& receiver : tick.config.receivers) {
        if (!receiver.enabled) {
            continue;
        }
        for (const config::Identity& identity : tick.config.identities_for(receiver)) {
            std::string task = "probe:" + receiver.name + ":" + identity.ip;
            if (due(tick, receiver, task)) {
                jobs.push_back(Job{&receiver, identity, task, {}, {}, std::nullopt});
            }
        }
    }
    if (jobs.empty()) {
        part.detail = "none due";
        return part;
    }
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    dns::ResolverOptions resolver_options;
    if (!tick.dns_server.empty()) {
        std::string error;
        resolver_options.server = dns::parse_server_address(tick.dns_server, &error);
        if (!resolver_options.server) {
            throw std::runtime_error("dns_server: " + error);
        }
    }
    dns::Resolver resolver(io.get_executor(), resolver_options);
    std::vector<std::string> failures;
    for (Job& job : jobs) {
        try {
            probe::Script script = script_for(tick, job.receiver->script);
            if (std::string why = probe::validate_script(script, false); !why.empty()) {
                throw std::runtime_error(why);
            }
            std::string error;
            auto target = probe::parse_target(job.receiver->target(), 25, &error);
            if (!target) {
                throw std::runtime_error(error);
            }
            job.target = *target;
            auto& o = job.options;
            o.script = std::move(script);
            o.tls =
                tick.config.probes.starttls ? probe::TlsMode::opportunistic : probe::TlsMode::off;
            o.tls_context = &tls;
            o.values.helo = job.identity.helo.empty() ? host_name() : job.identity.helo;
            o.values.from = job.identity.mail_from.empty() ? "postmaster@" + o.values.helo
                                                           : job.identity.mail_from;
            o.values.rcpt = job.receiver->recipient;
            o.values.envid = random_envid();
            if (!job.identity.ip.empty()) {
                o.source = asio::ip::make_address(job.identity.ip);
            }
            asio::co_spawn(io, probe::probe_target(job.target, &resolver, o),
                           [&job](std::exception_ptr e, probe::ProbeResult r) {
                               if (!e) {
                                   job.result = std::move(r);
                               }
                           });
        } catch (const std::exception& e) {
            failures.push_back(job.receiver->name + ": " + printable(e.what(), 300));
        }
    }
    io.run();
    int blocked = 0;
    int done = 0;
    for (Job& job : jobs) {
        TaskTiming timing{job.receiver->interval, job.receiver->min_interval, job.receiver->jitter};
        if (!job.result) {
            task_done(tick.db, job.task, tick.now, timing, "failed");
            continue;
        }
        record(tick, job, *job.result);
        ++done;
        const probe::ProbeResult& r = *job.result;
        std::string outcome = probe::outcome_name(r.outcome);
        switch (r.outcome) {
        case probe::Outcome::completed:
            break;
        case probe::Outcome::rejected:
        case probe::Outcome::deferred:
        case probe::Outcome::no_mail:
            ++blocked; // an answer: the receiver refused (classified in the evidence)
            break;
        default:
            // Could not complete (DNS, connect, TLS, timeout, protocol): the part failed.
            failures.push_back(job.receiver->name + ": " + outcome +
                               (r.error.empty() ? "" : " (" + printable(r.error, 200) + ")"));
        }
        task_done(tick.db, job.task, tick.now, timing, outcome);
    }
    part.ran = true;
    part.detail = std::to_string(done) + " probed (" + std::to_string(blocked) + " refused)";
    if (!failures.empty()) {
        part.ok = false;
        for (const std::string& f : failures) {
            part.detail += "; " + f;
        }
    }
    return part;
}

} // namespace smtpprobe::monitor
