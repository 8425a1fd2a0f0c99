// Prometheus families of the receivers' reports (issue 19), appended to /metrics: the latest
// SNDS signals per IP (filter result, complaint rate, trap hits, blocked by a status range),
// DMARC messages reported per receiver scope and our IP with how many passed, and TLS-RPT
// failed sessions per policy domain and result type. Absent when the tables of migration 016
// are (an older database).
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
    // The latest period per IP (SQLite takes the bare columns from the max() row).
    auto latest = db.prepare("SELECT ip, max(start_time), coalesce(filter, ''), trap_hits, "
                             "complaint_percent FROM snds_data GROUP BY ip ORDER BY ip");
    std::string filters, traps, complaints, periods;
    while (latest.step()) {
        const std::string ip = latest.column_text(0);
        const std::string filter = latest.column_text(2);
        for (const char* result : {"GREEN", "YELLOW", "RED"}) {
            sample(filters, "smtpprobe_snds_filter", {{"ip", ip}, {"result", result}},
                   filter == result ? 1 : 0);
        }
        if (auto start = epoch_seconds(latest.column_text(1))) {
            sample(periods, "smtpprobe_snds_period_start_timestamp_seconds", {{"ip", ip}},
                   static_cast<double>(*start));
        }
        sample(traps, "smtpprobe_snds_trap_hits", {{"ip", ip}},
               static_cast<double>(latest.column_int(3)));
        if (!latest.is_null(4)) {
            sample(complaints, "smtpprobe_snds_complaint_rate_percent", {{"ip", ip}},
                   latest.column_double(4));
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
    auto state = db.prepare("SELECT ip, verdict FROM snds_ip_state s WHERE id = (SELECT max(id) "
                            "FROM snds_ip_state x WHERE x.ip = s.ip) ORDER BY ip");
    while (state.step()) {
        sample(out, "smtpprobe_snds_blocked", {{"ip", state.column_text(0)}},
               state.column_text(1) == "blocked" ? 1 : 0);
    }
    family(out, "smtpprobe_dmarc_messages", "gauge",
           "Messages from our IPs counted by DMARC aggregate reports, per receiver scope and "
           "DMARC result (pass: aligned DKIM or SPF passed).");
    auto dmarc = db.prepare(
        "SELECT r.scope, c.source_ip, sum(CASE WHEN c.dkim = 'pass' OR c.spf = 'pass' THEN "
        "c.count ELSE 0 END), sum(c.count) FROM dmarc_record c JOIN dmarc_report r ON "
        "r.id = c.report WHERE c.ours = 1 GROUP BY r.scope, c.source_ip ORDER BY 1, 2");
    while (dmarc.step()) {
        const std::string scope = dmarc.column_text(0);
        const std::string ip = dmarc.column_text(1);
        const std::int64_t pass = dmarc.column_int(2);
        sample(out, "smtpprobe_dmarc_messages", {{"scope", scope}, {"ip", ip}, {"dmarc", "pass"}},
               static_cast<double>(pass));
        sample(out, "smtpprobe_dmarc_messages", {{"scope", scope}, {"ip", ip}, {"dmarc", "fail"}},
               static_cast<double>(dmarc.column_int(3) - pass));
    }
    family(out, "smtpprobe_tlsrpt_sessions", "gauge",
           "SMTP sessions to our MX reported by TLS-RPT, per policy domain and result.");
    auto tls = db.prepare("SELECT coalesce(policy_domain, ''), sum(successful), sum(failed) "
                          "FROM tlsrpt_policy GROUP BY 1 ORDER BY 1");
    while (tls.step()) {
        sample(out, "smtpprobe_tlsrpt_sessions",
               {{"policy_domain", tls.column_text(0)}, {"result", "successful"}},
               static_cast<double>(tls.column_int(1)));
        sample(out, "smtpprobe_tlsrpt_sessions",
               {{"policy_domain", tls.column_text(0)}, {"result", "failed"}},
               static_cast<double>(tls.column_int(2)));
    }
}

} // namespace smtpprobe::web
