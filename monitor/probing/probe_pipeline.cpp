// The one probe pipeline (see probe_pipeline.hpp; the numbered steps are its comments).
#include "monitor/probing/probe_pipeline.hpp"

#include "monitor/episodes/episode_builder.hpp"
#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/probing/fleet_claim.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/status/iso_time.hpp"
#include "monitor/store/probe_store.hpp"
#include "monitor/store/schedule_rows.hpp"
#include "probe/tls_facts.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <stdexcept>
#include <unistd.h>

namespace smtpprobe::probing {

namespace asio = boost::asio;

namespace {

std::string host_name()
{
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "localhost";
    }
    return name;
}

// "in 7 min", "in 40 s": how long until a time.
std::string wait_text(std::chrono::seconds wait)
{
    if (wait.count() >= 120) {
        return std::to_string((wait.count() + 59) / 60) + " min";
    }
    return std::to_string(wait.count()) + " s";
}

// Step 1: the reason a request must wait, or "".
std::string interval_wait(store::Database* db, const ProbeRequest& request,
                          const PipelineOptions& options, monitor::Clock::time_point now)
{
    if (db == nullptr || options.ignore_min_interval || request.receiver.empty() ||
        request.min_interval.count() <= 0) {
        return {};
    }
    const auto row = store::read_schedule(*db, interval_key(request.receiver, request.source_ip));
    if (!row) {
        return {};
    }
    const auto last = monitor::parse_iso_utc(row->last_run);
    if (!last || *last + request.min_interval <= now) {
        return {};
    }
    const auto wait =
        std::chrono::duration_cast<std::chrono::seconds>(*last + request.min_interval - now);
    return "receiver " + request.receiver + " was probed at " + row->last_run +
           "; its minimum interval (" + wait_text(request.min_interval) +
           ") allows the next probe in " + wait_text(wait) +
           " (a person may override with --ignore-min-interval)";
}

// Step 1, the fleet: a slot for a request to a config receiver (the lease, or why it must wait).
FleetClaim fleet_claim(store::Database* db, const ProbeRequest& request,
                       const PipelineOptions& options, const std::string& node,
                       monitor::Clock::time_point now)
{
    if (db == nullptr || request.receiver.empty() || request.fleet_concurrency <= 0) {
        return {};
    }
    FleetClaimRequest claim;
    claim.receiver = request.receiver;
    claim.node = node;
    claim.source_ip = request.source_ip;
    claim.spacing = request.fleet_min_interval;
    claim.concurrency = request.fleet_concurrency;
    claim.lease_for = std::chrono::ceil<std::chrono::seconds>(
        options.limits.deadline[static_cast<std::size_t>(probe::Stage::session)]);
    claim.ignore_limits = options.ignore_min_interval;
    return claim_fleet_slot(*db, claim, now, options.store);
}

// Step 3: PTR names of the source IPs, looked up at once.
std::map<std::string, std::string> ptr_names(asio::io_context& io, dns::Resolver& resolver,
                                             const std::vector<ProbeRequest>& requests)
{
    std::map<std::string, std::string> names;
    for (const ProbeRequest& request : requests) {
        if (!request.source_ip.empty() && request.helo.empty()) {
            names.emplace(request.source_ip, "");
        }
    }
    for (auto& entry : names) {
        std::string& name = entry.second; // not a structured binding: lambdas capture it
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(entry.first, ec);
        if (ec) {
            continue;
        }
        asio::co_spawn(
            io,
            [&resolver, address, &name]() -> asio::awaitable<void> {
                dns::Answer answer = co_await resolver.query_ptr(address);
                if (answer.status == dns::Status::ok && !answer.texts.empty()) {
                    name = answer.texts.front();
                    if (!name.empty() && name.back() == '.') {
                        name.pop_back();
                    }
                }
            },
            asio::detached);
    }
    io.run();
    io.restart();
    return names;
}

// Step 6: what the decisive reply (or the lack of one) means.
classify::Result classify_result(const probe::ProbeResult& r)
{
    if (r.decisive) {
        const std::string text = r.decisive->text();
        classify::Input input;
        input.reply_code = r.decisive->code;
        input.enhanced = r.decisive->enhanced;
        input.text = text;
        input.remote_host = r.mx_host;
        return classify::Classifier::current().classify(input);
    }
    const std::string_view host = r.mx_host.empty() ? std::string_view() : r.mx_host;
    switch (r.outcome) {
    case probe::Outcome::connect_failed:
    case probe::Outcome::dns_failed:
        return classify::classify_failure(classify::Failure::unreachable, host);
    case probe::Outcome::timeout:
        return classify::classify_failure(
            r.banner ? classify::Failure::timeout : classify::Failure::unreachable, host);
    case probe::Outcome::tls_failed:
        return classify::classify_failure(classify::Failure::tls, host);
    case probe::Outcome::protocol_error:
        return classify::classify_failure(classify::Failure::protocol, host);
    case probe::Outcome::no_mail:
        return classify::classify_failure(classify::Failure::no_mail, host);
    default:
        return {};
    }
}

} // namespace

std::string helo_name(const std::string& given, const std::string& ptr,
                      const std::string& configured)
{
    if (!given.empty()) {
        return given;
    }
    if (!ptr.empty()) {
        return ptr;
    }
    if (!configured.empty()) {
        return configured;
    }
    return host_name();
}

std::string interval_key(const std::string& receiver, const std::string& source_ip)
{
    return "probe:" + receiver + ":" + source_ip;
}

std::vector<ProbeOutcome> run_probes(store::Database* db, const config::Config& config,
                                     const std::vector<ProbeRequest>& requests,
                                     const PipelineOptions& options,
                                     std::chrono::system_clock::time_point now)
{
    std::vector<ProbeOutcome> outcomes(requests.size());
    asio::io_context io;
    dns::Resolver resolver(io.get_executor(), dns::resolver_options(options.dns_server));
    // Step 4: one TLS context for every session.
    asio::ssl::context tls = probe::make_client_tls_context();
    const std::map<std::string, std::string> ptr = ptr_names(io, resolver, requests);

    std::vector<probe::Target> targets;
    std::vector<probe::SessionOptions> sessions;
    std::vector<std::size_t> index; // outcome of each session
    const std::string node = monitor::node_name(config);
    FleetLeases leases(options.store ? db : nullptr); // released as each session ends
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const ProbeRequest& request = requests[i];
        ProbeOutcome& outcome = outcomes[i];
        outcome.request = request;
        // Step 1: the minimum interval.
        outcome.skipped = interval_wait(db, request, options, now);
        if (!outcome.skipped.empty()) {
            outcome.waiting = true;
            continue;
        }
        // Step 2: DATA only with permission.
        if (std::string why =
                probe::validate_script(options.script, options.send || request.allow_data);
            !why.empty()) {
            outcome.skipped = why;
            continue;
        }
        std::string error;
        auto target = probe::parse_target(request.target, 25, &error);
        if (!target) {
            outcome.skipped = error;
            continue;
        }
        probe::SessionOptions session;
        session.script = options.script;
        session.tls = options.tls;
        session.limits = options.limits;
        session.family = options.family;
        session.pipelining = options.pipelining;
        session.tls_context = &tls;
        if (!request.source_ip.empty()) {
            boost::system::error_code ec;
            session.source = asio::ip::make_address(request.source_ip, ec);
            if (ec) {
                outcome.skipped = "source '" + request.source_ip + "' is not an IP address";
                continue;
            }
        }
        // Step 3: the HELO name.
        const auto name = ptr.find(request.source_ip);
        session.values.helo =
            helo_name(request.helo, name == ptr.end() ? "" : name->second, request.configured_helo);
        session.values.from =
            request.from.empty() ? "postmaster@" + session.values.helo : request.from;
        session.values.rcpt = request.rcpt;
        // Step 1, the fleet: claimed last, so a request refused above takes no slot; timed
        // when taken (a tick's probes may start minutes after the tick, after its logs), so
        // the lease lasts as long as the session may.
        FleetClaim claim = fleet_claim(db, request, options, node, std::max(now, monitor::now()));
        if (!claim.refused.empty()) {
            outcome.skipped = std::move(claim.refused);
            outcome.waiting = true;
            continue;
        }
        leases.add(target->text, claim.lease);
        session.values.envid = probe::new_envid();
        outcome.envid = session.values.envid;
        targets.push_back(*target);
        sessions.push_back(std::move(session));
        index.push_back(i);
    }
    // Step 5: the sessions.
    std::vector<probe::ProbeResult> results =
        probe::run_batch(io, targets, &resolver, sessions, options.batch,
                         [&leases](const probe::ProbeResult& r) { leases.release_one(r.target); });
    leases.release_all();

    const evidence::OurIps ours = evidence::OurIps::of(config);
    store::Database* out = options.store ? db : nullptr;
    std::optional<store::Transaction> tx;
    std::optional<evidence::EvidenceWriter> writer;
    if (out != nullptr) {
        tx.emplace(*db);
        writer.emplace(*db, node);
    }
    for (std::size_t k = 0; k < results.size(); ++k) {
        ProbeOutcome& outcome = outcomes[index[k]];
        outcome.result = std::move(results[k]);
        const probe::ProbeResult& r = *outcome.result;
        // Step 6: one classification.
        outcome.classification = classify_result(r);
        const classify::Result& c = outcome.classification;
        evidence::Observation o;
        o.source = evidence::SourceKind::probe;
        o.observed = evidence::Observed::attempt;
        o.classified =
            r.outcome == probe::Outcome::cancelled || r.outcome == probe::Outcome::refused_script
                ? nullptr
                : &c;
        o.receiver_host = r.mx_host;
        o.receiver_ip = r.ip;
        o.source_ip = outcome.request.source_ip.empty()
                          ? std::string_view(r.source_ip)
                          : std::string_view(outcome.request.source_ip);
        o.named_ip = c.named_ip;
        evidence::decide(o, ours, outcome.decision);
        if (out == nullptr) {
            continue;
        }
        store::ProbeAnnotations annotations{
            c.provider, c.scope, std::string(c.reason), c.provider_code, "", "", node};
        outcome.run_id = store::insert_probe_result(*out, r, annotations);
        // Step 7: the evidence and the receiver's last probe.
        writer->record(probe::iso8601(r.started_at), evidence::SourceKind::probe, outcome.run_id,
                       outcome.decision);
        if (!outcome.request.receiver.empty()) {
            store::note_run(*out, interval_key(outcome.request.receiver, outcome.request.source_ip),
                            monitor::iso_utc(now),
                            monitor::iso_utc(now + outcome.request.min_interval),
                            probe::outcome_name(r.outcome));
        }
    }
    if (out != nullptr) {
        writer->write();
        tx->commit();
        // Step 8: the fold.
        episodes::update_episodes(*out, config);
    }
    return outcomes;
}

} // namespace smtpprobe::probing
