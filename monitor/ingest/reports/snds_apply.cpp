// SNDS reads into evidence, signals and findings (see snds_apply.hpp).
#include "monitor/ingest/reports/snds_apply.hpp"

#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/store/report_findings.hpp"
#include "monitor/store/snds_store.hpp"

#include <cstdio>

namespace smtpprobe::ingest {

namespace {

std::string counts(const SndsDataRow& r)
{
    return "RCPT " + std::to_string(r.rcpt_commands) + ", DATA " + std::to_string(r.data_commands) +
           ", recipients " + std::to_string(r.recipients) + ", complaints " +
           (r.complaint_rate.empty() ? std::string("-") : r.complaint_rate) + ", trap hits " +
           std::to_string(r.trap_hits);
}

std::string filter_action(const std::string& filter)
{
    if (filter == "RED") {
        return "Outlook.com's filter judged most mail from this IP spam (RED: over 90%): find "
               "the cause (a compromised account, a bad list, content), watch complaints and "
               "trap hits in SNDS, and join JMRP for the complaints";
    }
    if (filter == "YELLOW") {
        return "Outlook.com's filter judged part of the mail from this IP spam (YELLOW: 10% to "
               "90%): check what the IP sent (sample HELO and MAIL FROM in SNDS) and its lists";
    }
    return "none: the filter result is GREEN again";
}

void signal_findings(store::Database& db, const SndsDataRow& row, SndsApplied& applied)
{
    const auto previous = store::previous_snds_data(db, row.ip, row.start);
    const std::string day = row.start.substr(0, 10);
    auto add = [&](const std::string& kind, const std::string& detail, const std::string& action) {
        store::ReportFinding f;
        f.time = row.start;
        f.kind = kind;
        f.ip = row.ip;
        f.scope = k_outlook_com_scope;
        f.detail = "SNDS " + day + ": " + row.ip + " " + detail + " (" + counts(row) + ")";
        f.action = action;
        f.source_kind = "snds";
        f.source_key = "snds|" + row.ip + "|" + row.start + "|" + kind;
        applied.findings += store::insert_report_finding(db, f) ? 1 : 0;
    };
    const std::string before = previous ? previous->filter : std::string();
    if (!row.filter.empty() && row.filter != before && (previous || row.filter != "GREEN")) {
        add("snds-filter",
            "filter result " + (before.empty() ? std::string("(none before)") : before) + " -> " +
                row.filter,
            filter_action(row.filter));
    }
    if (row.trap_hits > 0 && (!previous || previous->trap_hits == 0)) {
        add("snds-traps", "hit " + std::to_string(row.trap_hits) + " spam traps",
            "remove addresses that bounce or never respond, and check how addresses are "
            "collected (spam traps never sign up)");
    }
    const double rate = row.complaint_percent.value_or(0);
    const bool below_before =
        !previous || previous->complaint_percent.value_or(0) < k_snds_complaint_threshold;
    // "< 0.1%" names an upper bound, not a rate at or above the threshold.
    const bool bound_only = row.complaint_rate.find('<') != std::string::npos;
    if (!bound_only && rate >= k_snds_complaint_threshold && below_before) {
        add("snds-complaints", "complaint rate " + row.complaint_rate,
            "make unsubscribing easy, send only to people who asked, and join JMRP to see "
            "who complains");
    }
}

} // namespace

std::string snds_block_action(const std::string& reason)
{
    return "Outlook.com blocks this IP (SNDS: " +
           (reason.empty() ? std::string("blocked") : reason) +
           "): stop the cause first (complaints, a compromised account, an open relay), then "
           "request delisting at https://sender.office.com/ and, if the block stays, open a "
           "ticket at https://olcsupport.office.com/ naming the IP";
}

SndsApplied apply_snds(store::Database& db, const config::Config& config, const SndsFeed& feed,
                       std::int64_t fetch, const std::string& time, bool status_read)
{
    SndsApplied applied;
    applied.status_rows = feed.status.size();
    applied.data_rows = feed.data.size();
    for (const SndsStatusRow& row : feed.status) {
        store::add_snds_status_row(db, fetch, row);
    }
    for (const SndsDataRow& row : feed.data) {
        if (store::add_snds_data(db, fetch, row)) {
            ++applied.new_data_rows;
            signal_findings(db, row, applied);
        }
    }
    if (!status_read) {
        return applied;
    }
    for (const config::Identity& identity : config.identities) {
        const SndsStatusRow* covering = nullptr;
        for (const SndsStatusRow& row : feed.status) {
            if (ip_in_range(identity.ip, row.first_ip, row.last_ip) &&
                (covering == nullptr || (row.blocked && !covering->blocked))) {
                covering = &row;
            }
        }
        ReportObservation o;
        o.time = time;
        o.ip = identity.ip;
        o.scope = k_outlook_com_scope;
        o.source_kind = evidence::SourceKind::snds;
        std::string why;
        if (covering != nullptr && covering->blocked) {
            o.verdict = evidence::Verdict::blocked;
            o.reason = "blocked";
            o.provider_code = "SNDS";
            why = covering->reason;
            applied.blocked_ips.push_back(identity.ip);
        } else if (covering != nullptr || store::snds_knows_ip(db, identity.ip)) {
            o.verdict = evidence::Verdict::clear;
            o.reason = "not blocked";
            why = covering ? covering->reason : std::string("no SNDS block range covers it");
            if (covering != nullptr) {
                store::ReportFinding f;
                f.time = time;
                f.kind = "snds-junked";
                f.ip = identity.ip;
                f.scope = k_outlook_com_scope;
                f.detail = "SNDS: " + identity.ip + " not blocked but listed: " + covering->reason;
                f.action = "mail from this IP goes to the junk folder: find and stop what makes "
                           "users complain";
                f.source_kind = "snds";
                f.source_key = "snds|" + identity.ip + "|" + time.substr(0, 10) + "|junked";
                applied.findings += store::insert_report_finding(db, f) ? 1 : 0;
            }
        } else {
            continue; // the account does not know this IP: SNDS says nothing about it
        }
        o.source_id =
            store::add_snds_ip_state(db, fetch, identity.ip, std::string(evidence::name(o.verdict)),
                                     why, covering ? covering->first_ip : std::string(),
                                     covering ? covering->last_ip : std::string());
        hand_off_evidence(db, config, o);
        ++applied.evidence;
    }
    return applied;
}

} // namespace smtpprobe::ingest
