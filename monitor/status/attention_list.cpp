// The "needs attention" list (see attention_list.hpp).
#include "monitor/status/attention_list.hpp"

#include "monitor/status/silent_nodes.hpp"
#include "monitor/store/attention_rows.hpp"
#include "monitor/store/history_rows.hpp"

#include <algorithm>

namespace smtpprobe::monitor {
namespace {

void add_state_items(const evidence::StateSnapshot& state, std::vector<AttentionItem>& out)
{
    for (const evidence::ScopeState& s : state.scopes) {
        if (s.state != evidence::Verdict::blocked) {
            continue;
        }
        AttentionItem item;
        bool listed = s.scope.rfind("dnsbl/", 0) == 0;
        item.kind = listed ? "listed" : "blocked";
        item.urgent = true;
        item.ip = s.ip;
        item.scope = s.scope;
        item.since = s.since.value_or(s.episode ? s.episode->opened : "");
        item.receiver = s.receiver;
        item.title = listed ? "Listed by " + s.scope.substr(6) : "Blocked by " + s.scope;
        std::string codes;
        if (s.episode) {
            item.episode_id = s.episode->id;
            for (const std::string& code : s.episode->codes) {
                codes += (codes.empty() ? "" : ", ") + code;
            }
        }
        if (codes.empty()) {
            codes = s.provider_code;
        }
        item.detail = s.meaning;
        if (!codes.empty()) {
            item.detail = "code " + codes + (item.detail.empty() ? "" : ": " + item.detail);
        }
        if (!s.receiver.empty()) {
            item.detail +=
                (item.detail.empty() ? "" : " ") + std::string("(named by ") + s.receiver + ")";
        }
        item.action = s.action;
        out.push_back(std::move(item));
    }
}

void add_finding_items(store::Database& db, std::vector<AttentionItem>& out)
{
    for (const store::FindingGroup& g : store::read_finding_groups(db)) {
        AttentionItem item;
        item.kind = g.kind == "backscatter" ? "backscatter" : "report";
        item.urgent = g.kind == "backscatter";
        item.ip = g.ip;
        item.scope = g.scope;
        item.since = g.last_time;
        item.count = g.count;
        if (g.kind == "backscatter") {
            item.title = "Backscatter: our server sent " + std::to_string(g.count) +
                         " success DSN" + (g.count == 1 ? "" : "s") +
                         " (return receipts) a forged sender can abuse";
            item.action = "stop honouring NOTIFY=SUCCESS from outside: sendmail PrivacyOptions "
                          "noreceipts; Postfix smtpd_discard_ehlo_keywords = dsn; Exim "
                          "dsn_advertise_hosts =";
        } else {
            item.title = "Report finding: " + g.kind +
                         (g.count > 1 ? " (" + std::to_string(g.count) + " times)" : "");
            item.action = g.action;
        }
        item.detail = g.detail;
        out.push_back(std::move(item));
    }
    for (const store::DsnTestRow& run : store::latest_dsn_tests(db)) {
        if (run.verdict != "backscatter-risk") {
            continue;
        }
        AttentionItem item;
        item.kind = "dsn-test";
        item.urgent = true;
        item.scope = run.target;
        item.since = run.time;
        item.probe_id = run.id;
        item.title = "Backscatter risk: " + run.target + " accepts NOTIFY=SUCCESS from anyone";
        item.detail = "DSN test of " + (run.mx_host.empty() ? run.target : run.mx_host);
        item.action = "stop honouring NOTIFY=SUCCESS from outside: sendmail PrivacyOptions "
                      "noreceipts; Postfix smtpd_discard_ehlo_keywords = dsn; Exim "
                      "dsn_advertise_hosts =";
        out.push_back(std::move(item));
    }
}

void add_hygiene_items(store::Database& db, std::vector<AttentionItem>& out)
{
    for (const store::HygieneRow& h : store::read_latest_hygiene(db)) {
        if (h.all_ok || h.unknown) {
            continue;
        }
        std::string failed;
        auto add = [&](bool ok, const std::string& what) {
            if (!ok) {
                failed += (failed.empty() ? "" : "; ") + what;
            }
        };
        add(h.fcrdns, "PTR does not resolve back to the IP");
        add(h.helo_matches, "HELO " + h.helo + " is not a confirmed PTR name");
        add(h.spf == "pass", "SPF " + h.spf + " for " + h.mail_from_domain);
        add(h.dmarc_present, "no DMARC record for " + h.mail_from_domain);
        AttentionItem item;
        item.kind = "hygiene";
        item.ip = h.ip;
        item.since = h.time;
        item.title = "Sender hygiene fails for " + h.ip;
        item.detail = failed.empty() ? "a check failed" : failed;
        item.action = "fix the DNS records named, then wait for the next hygiene check";
        out.push_back(std::move(item));
    }
}

void add_task_items(store::Database& db, Clock::time_point now, std::vector<AttentionItem>& out)
{
    std::vector<store::TaskRow> tasks = store::read_tasks(db);
    std::vector<const store::TaskRow*> overdue;
    std::string newest_run;
    for (const store::TaskRow& task : tasks) {
        newest_run = std::max(newest_run, task.last_run);
        auto due = parse_iso_utc(task.next_due);
        if (due && now - *due > k_task_overdue) {
            overdue.push_back(&task);
        }
    }
    if (!tasks.empty() && overdue.size() == tasks.size()) {
        AttentionItem item;
        item.kind = "timer-stopped";
        item.since = newest_run;
        item.title = "smtpprobe run has not run since " + newest_run;
        item.detail = std::to_string(tasks.size()) + " periodic task" +
                      (tasks.size() == 1 ? " is" : "s are") +
                      " overdue: no probe, DNSBL or "
                      "hygiene check is being made";
        item.action = "check the timer: systemctl status smtpprobe-run.timer (or the cron entry "
                      "/etc/cron.d/smtpprobe) and journalctl -u smtpprobe-run";
        out.push_back(std::move(item));
        return;
    }
    for (const store::TaskRow* task : overdue) {
        AttentionItem item;
        item.kind = "stale-task";
        item.since = task->last_run;
        item.title = "Stale: " + task->task + " last ran " + task->last_run;
        item.detail = "due " + task->next_due +
                      (task->last_result.empty() ? "" : "; last result: " + task->last_result);
        item.action = "run smtpprobe run -v and read why this task is skipped";
        out.push_back(std::move(item));
    }
}

} // namespace

std::vector<AttentionItem> attention_list(store::Database& db, const evidence::StateSnapshot& state,
                                          Clock::time_point now, const std::string& node)
{
    std::vector<AttentionItem> out;
    add_state_items(state, out);
    add_finding_items(db, out);
    add_hygiene_items(db, out);
    if (state.unfolded_evidence > 0) {
        AttentionItem item;
        item.kind = "unfolded";
        item.title = std::to_string(state.unfolded_evidence) +
                     " evidence rows are not folded into the state yet";
        item.action = "run smtpprobe run (or smtpprobe status) to fold them";
        out.push_back(std::move(item));
    }
    add_task_items(db, now, out);
    for (const SilentNode& silent : silent_nodes(db, now, node)) {
        AttentionItem item;
        item.kind = "node-silent";
        item.since = silent.since;
        item.title = silent_node_title(silent);
        item.detail = "its run ticks every " + std::to_string(silent.interval_seconds) +
                      " s; none has finished for more than twice that";
        item.action = "check the node: its timer (systemctl status smtpprobe-run.timer), its host "
                      "and its access to the database";
        out.push_back(std::move(item));
    }
    // Urgent first; within each, the newest first (stable: the state's order otherwise).
    std::stable_sort(out.begin(), out.end(), [](const AttentionItem& a, const AttentionItem& b) {
        if (a.urgent != b.urgent) {
            return a.urgent;
        }
        return a.since > b.since;
    });
    return out;
}

} // namespace smtpprobe::monitor
