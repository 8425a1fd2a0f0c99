// The probe part of a tick: every (receiver, identity) whose schedule says it is due gets one
// session through the one probe pipeline (monitor/probing/probe_pipeline.hpp: minimum
// interval, DATA only with the receiver's allow_data, the HELO rule, classification,
// evidence), grouped by script. The schedule then sets the next due time (interval + jitter,
// never before min_interval).
#include "monitor/probing/probe_pipeline.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/run/run_schedule.hpp"
#include "monitor/scripts/script_file.hpp"
#include "probe/printable.hpp"

#include <map>

namespace smtpprobe::monitor {

namespace {

struct Job {
    const config::Receiver* receiver;
    config::Identity identity;
    std::string task;
};

bool due(TickContext& tick, const std::string& task)
{
    // --now ignores the schedule; the pipeline still enforces each minimum interval.
    return tick.force || task_due(tick.db, task, tick.now);
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

probing::ProbeRequest request_for(const Job& job)
{
    probing::ProbeRequest request;
    request.target = job.receiver->target();
    request.receiver = job.receiver->name;
    request.min_interval = job.receiver->min_interval;
    request.fleet_min_interval = job.receiver->fleet_spacing();
    request.fleet_concurrency = job.receiver->fleet_concurrency;
    request.allow_data = job.receiver->allow_data;
    request.rcpt = job.receiver->recipient;
    request.source_ip = job.identity.ip;
    request.configured_helo = job.identity.helo;
    request.from = job.identity.mail_from;
    return request;
}

} // namespace

PartResult run_due_probes(TickContext& tick)
{
    PartResult part{"probes", false, true, ""};
    // Due jobs, grouped by script (one pipeline run per script).
    std::map<std::string, std::vector<Job>> by_script;
    for (const config::Receiver& receiver : tick.config.receivers) {
        if (!receiver.enabled) {
            continue;
        }
        for (const config::Identity& identity : tick.config.identities_for(receiver)) {
            std::string task = probing::interval_key(receiver.name, identity.ip);
            if (due(tick, task)) {
                by_script[receiver.script].push_back(Job{&receiver, identity, task});
            }
        }
    }
    if (by_script.empty()) {
        part.detail = "none due";
        return part;
    }
    std::vector<std::string> failures;
    int done = 0;
    int refused = 0;
    int waiting = 0;
    for (const auto& [script_name, jobs] : by_script) {
        probing::PipelineOptions options;
        try {
            options.script = script_for(tick, script_name);
        } catch (const std::exception& e) {
            for (const Job& job : jobs) {
                failures.push_back(job.receiver->name + ": " + printable(e.what(), 300));
            }
            continue;
        }
        options.tls =
            tick.config.probes.starttls ? probe::TlsMode::opportunistic : probe::TlsMode::off;
        options.limits.deadline[static_cast<std::size_t>(probe::Stage::session)] =
            std::chrono::duration_cast<std::chrono::milliseconds>(tick.config.probes.timeout);
        options.dns_server = tick.dns_server;
        options.batch.handle_signals = false; // run is cancelled as a whole
        std::vector<probing::ProbeRequest> requests;
        for (const Job& job : jobs) {
            requests.push_back(request_for(job));
        }
        const std::vector<probing::ProbeOutcome> outcomes =
            probing::run_probes(&tick.db, tick.config, requests, options, tick.now);
        for (std::size_t i = 0; i < outcomes.size(); ++i) {
            const probing::ProbeOutcome& outcome = outcomes[i];
            const Job& job = jobs[i];
            TaskTiming timing{job.receiver->interval, job.receiver->min_interval,
                              job.receiver->jitter};
            if (!outcome.result) {
                if (outcome.waiting) {
                    ++waiting; // not a failure: its time has not come (interval, fleet claim)
                    continue;
                }
                // Refused before connecting (DATA without allow_data, a bad target): nothing
                // was probed, so no interval starts; every tick says so until it is fixed.
                failures.push_back(job.receiver->name + ": " + printable(outcome.skipped, 300));
                continue;
            }
            ++done;
            const probe::ProbeResult& r = *outcome.result;
            switch (r.outcome) {
            case probe::Outcome::completed:
                break;
            case probe::Outcome::rejected:
            case probe::Outcome::deferred:
            case probe::Outcome::no_mail:
                ++refused; // an answer: what it means is in the evidence
                break;
            default:
                // Could not complete (DNS, connect, TLS, timeout, protocol): the part failed.
                failures.push_back(job.receiver->name + ": " + probe::outcome_name(r.outcome) +
                                   (r.error.empty() ? "" : " (" + printable(r.error, 200) + ")"));
            }
            task_done(tick.db, job.task, tick.now, timing, probe::outcome_name(r.outcome));
        }
    }
    part.ran = done > 0;
    part.detail = std::to_string(done) + " probed (" + std::to_string(refused) + " refused)";
    if (waiting > 0) {
        part.detail += ", " + std::to_string(waiting) +
                       " waiting (their minimum interval or the fleet's claim)";
    }
    if (!failures.empty()) {
        part.ok = false;
        for (const std::string& f : failures) {
            part.detail += "; " + f;
        }
    }
    return part;
}

} // namespace smtpprobe::monitor
