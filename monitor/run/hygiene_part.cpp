// The hygiene part of a tick: for each identity whose check is due, PTR/FCrDNS and HELO
// match, SPF of the MAIL FROM domain for the IP, DMARC presence (monitor/hygiene), stored in
// hygiene_check and shown by `status`. A failed check is a finding for the operator, not a
// block: it does not open episodes.
#include "monitor/hygiene/hygiene.hpp"
#include "monitor/hygiene/hygiene_store.hpp"
#include "monitor/run/node_name.hpp"
#include "monitor/run/run_parts.hpp"
#include "monitor/run/run_schedule.hpp"
#include "monitor/store/hygiene_rows.hpp"
#include "probe/printable.hpp"
#include "probe/text/json_output.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace smtpprobe::monitor {

namespace asio = boost::asio;

PartResult run_due_hygiene(TickContext& tick)
{
    PartResult part{"hygiene", false, true, ""};
    if (!tick.config.hygiene.enabled || tick.config.identities.empty()) {
        part.detail = tick.config.hygiene.enabled ? "no [[identity]] configured" : "disabled";
        return part;
    }
    asio::io_context io;
    dns::Resolver resolver(io.get_executor(), dns::resolver_options(tick.dns_server));
    struct Job {
        const config::Identity* identity;
        std::string task;
        std::optional<hygiene::HygieneReport> report;
    };
    std::vector<Job> jobs;
    for (const config::Identity& identity : tick.config.identities) {
        std::string task = "hygiene:" + identity.ip;
        if (tick.force || task_due(tick.db, task, tick.now)) {
            jobs.push_back({&identity, task, std::nullopt});
        }
    }
    if (jobs.empty()) {
        part.detail = "none due";
        return part;
    }
    for (Job& job : jobs) {
        const std::string& from = job.identity->mail_from;
        std::string domain = from.find('@') == std::string::npos ? job.identity->helo
                                                                 : from.substr(from.rfind('@') + 1);
        asio::co_spawn(io,
                       hygiene::check_hygiene(resolver, asio::ip::make_address(job.identity->ip),
                                              job.identity->helo, domain),
                       [&job](std::exception_ptr e, hygiene::HygieneReport r) {
                           if (!e) {
                               job.report = std::move(r);
                           }
                       });
    }
    io.run();
    int problems = 0;
    for (Job& job : jobs) {
        if (!job.report) {
            part.ok = false;
            part.detail += "; " + job.identity->ip + ": check failed";
            continue;
        }
        const hygiene::HygieneReport& r = *job.report;
        nlohmann::json detail{{"ptr",
                               {{"names", r.ptr.names},
                                {"confirmed_name", r.ptr.confirmed_name},
                                {"forward_confirmed", r.ptr.forward_confirmed},
                                {"matches_helo", r.ptr.matches_helo},
                                {"detail", r.ptr.detail}}},
                              {"spf",
                               {{"result", hygiene::to_string(r.spf.result)},
                                {"record", r.spf.record},
                                {"detail", r.spf.detail},
                                {"dns_lookups", r.spf.dns_lookups}}},
                              {"dmarc",
                               {{"present", r.dmarc.present},
                                {"record", r.dmarc.record},
                                {"policy", r.dmarc.policy},
                                {"detail", r.dmarc.detail}}}};
        // One writer for hygiene_check (monitor/hygiene); the run adds the whole report as JSON.
        std::int64_t id =
            hygiene::store_hygiene_report(tick.db, r, iso_utc(tick.now), node_name(tick.config));
        store::set_hygiene_detail(tick.db, id, json_text(detail));
        problems += r.all_ok() ? 0 : 1;
        task_done(tick.db, job.task, tick.now, {tick.config.hygiene.interval, {}, {}},
                  r.all_ok() ? "ok" : "problems");
    }
    part.ran = true;
    part.detail = std::to_string(jobs.size()) + " checked, " + std::to_string(problems) +
                  " with problems" + part.detail;
    return part;
}

} // namespace smtpprobe::monitor
