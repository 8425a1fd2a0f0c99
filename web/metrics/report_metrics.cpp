// Prometheus families of the receivers' reports (issue 19), appended to /metrics: the latest
// SNDS signals per IP (filter result, complaint rate, trap hits, blocked by a status range),
// DMARC messages reported per receiver scope and our IP with how many passed, and TLS-RPT
// failed sessions per policy domain and result type. Absent when the tables of migration 016
// are (an older database).
#include "monitor/store/report_views.hpp"
#include "web/api/api.hpp"
#include "web/metrics/metrics.hpp"

#include <cstdio>

namespace smtpprobe::web {

namespace {

void family(std::string& out, const char* name, const char* type, const char* help)
{
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void sample(std::string& out, const char* name,
            const std::vector<std::pair<const char*, std::string>>& labels, double value)
{
    out += name;
    out += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
        out += (i ? "," : "") + std::string(labels[i].first) + "=\"" +
               escape_label_value(labels[i].second) + "\"";
    }
    char number[32];
    std::snprintf(number, sizeof number, "%.15g", value);
    out += "} ";
    out += number;
    out += '\n';
}

} // namespace

void append_report_metrics(std::string& out, store::Database& db)
{
    if (!table_exists(db, "snds_data")) {
        return;
    }
    // The latest period per IP.
    std::string filters, traps, complaints, periods;
    for (const store::SndsLatestRow& latest : store::read_snds_latest_per_ip(db)) {
        for (const char* result : {"GREEN", "YELLOW", "RED"}) {
            sample(filters, "smtpprobe_snds_filter", {{"ip", latest.ip}, {"result", result}},
                   latest.filter == result ? 1 : 0);
        }
        if (auto start = epoch_seconds(latest.start_time)) {
            sample(periods, "smtpprobe_snds_period_start_timestamp_seconds", {{"ip", latest.ip}},
                   static_cast<double>(*start));
        }
        sample(traps, "smtpprobe_snds_trap_hits", {{"ip", latest.ip}},
               static_cast<double>(latest.trap_hits));
        if (latest.complaint_percent) {
            sample(complaints, "smtpprobe_snds_complaint_rate_percent", {{"ip", latest.ip}},
                   *latest.complaint_percent);
        }
    }
    family(out, "smtpprobe_snds_filter", "gauge",
           "SNDS filter result of the IP's latest period: 1 for the result it had.");
    out += filters;
    family(out, "smtpprobe_snds_period_start_timestamp_seconds", "gauge",
           "Start of the IP's latest SNDS data period (how fresh the SNDS signals are).");
    out += periods;
    family(out, "smtpprobe_snds_trap_hits", "gauge", "SNDS spam-trap hits of the latest period.");
    out += traps;
    family(out, "smtpprobe_snds_complaint_rate_percent", "gauge",
           "SNDS complaint rate of the latest period, percent (the bound for \"< 0.1%\").");
    out += complaints;
    family(out, "smtpprobe_snds_blocked", "gauge",
           "1 when the latest SNDS status read blocks the IP, 0 when it clears it.");
    for (const store::SndsIpVerdict& state : store::read_snds_ip_verdicts(db)) {
        sample(out, "smtpprobe_snds_blocked", {{"ip", state.ip}},
               state.verdict == "blocked" ? 1 : 0);
    }
    family(out, "smtpprobe_dmarc_messages", "gauge",
           "Messages from our IPs counted by DMARC aggregate reports, per receiver scope and "
           "DMARC result (pass: aligned DKIM or SPF passed).");
    for (const store::DmarcTotalRow& row : store::read_dmarc_totals(db)) {
        sample(out, "smtpprobe_dmarc_messages",
               {{"scope", row.scope}, {"ip", row.ip}, {"dmarc", "pass"}},
               static_cast<double>(row.passed));
        sample(out, "smtpprobe_dmarc_messages",
               {{"scope", row.scope}, {"ip", row.ip}, {"dmarc", "fail"}},
               static_cast<double>(row.messages - row.passed));
    }
    family(out, "smtpprobe_tlsrpt_sessions", "gauge",
           "SMTP sessions to our MX reported by TLS-RPT, per policy domain and result.");
    for (const store::TlsTotalRow& row : store::read_tls_totals(db)) {
        sample(out, "smtpprobe_tlsrpt_sessions",
               {{"policy_domain", row.policy_domain}, {"result", "successful"}},
               static_cast<double>(row.successful));
        sample(out, "smtpprobe_tlsrpt_sessions",
               {{"policy_domain", row.policy_domain}, {"result", "failed"}},
               static_cast<double>(row.failed));
    }
}

} // namespace smtpprobe::web
