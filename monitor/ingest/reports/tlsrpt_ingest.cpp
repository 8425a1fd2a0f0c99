// The SMTP TLS report pipeline and its findings (see tlsrpt_ingest.hpp).
#include "monitor/ingest/reports/tlsrpt_ingest.hpp"

#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/ingest/reports/report_input.hpp"
#include "monitor/store/dmarc_store.hpp"
#include "monitor/store/tlsrpt_store.hpp"
#include "probe/text/utc_time.hpp"

#include <chrono>
#include <map>

namespace smtpprobe::ingest {

namespace {

// "mode: enforce" of an MTA-STS policy string, "" when not given.
std::string sts_mode(const TlsPolicy& p)
{
    for (const std::string& line : p.policy_strings) {
        if (line.rfind("mode:", 0) == 0) {
            std::string mode = line.substr(5);
            mode.erase(0, mode.find_first_not_of(" \t"));
            return mode;
        }
    }
    return {};
}

std::string context(const TlsPolicy& p)
{
    if (p.policy_type == "sts") {
        const std::string mode = sts_mode(p);
        if (mode == "enforce") {
            return "MTA-STS in enforce mode: senders that honour it do not deliver when TLS "
                   "fails";
        }
        return "MTA-STS" + (mode.empty() ? std::string() : " in " + mode + " mode") +
               ": mail is still delivered, without TLS";
    }
    if (p.policy_type == "tlsa") {
        return "DANE (TLSA): senders that validate it do not deliver when it fails";
    }
    return "no MTA-STS or DANE policy: the sender fell back to opportunistic TLS";
}

} // namespace

std::string tls_failure_fix(const std::string& type, const std::string& mx,
                            const std::string& domain)
{
    const std::string host = mx.empty() ? "your MX" : mx;
    if (type == "starttls-not-supported") {
        return "enable STARTTLS on " + host;
    }
    if (type == "certificate-expired") {
        return "renew the TLS certificate of " + host;
    }
    if (type == "certificate-host-mismatch") {
        return "serve a certificate on " + host + " that names " + host;
    }
    if (type == "certificate-not-trusted" || type == "validation-failure") {
        return "serve a certificate of " + host +
               " from a public CA with its full chain (intermediates included)";
    }
    if (type == "sts-policy-fetch-error") {
        return "serve the MTA-STS policy at https://mta-sts." + domain +
               "/.well-known/mta-sts.txt (HTTPS, a valid certificate, HTTP 200)";
    }
    if (type == "sts-policy-invalid") {
        return "fix the MTA-STS policy at https://mta-sts." + domain +
               "/.well-known/mta-sts.txt (version, mode, mx and max_age lines)";
    }
    if (type == "sts-webpki-invalid") {
        return "give https://mta-sts." + domain + " a valid public certificate";
    }
    if (type == "tlsa-invalid" || type == "dane-required") {
        return "publish TLSA records for _25._tcp." + host + " that match its certificate";
    }
    if (type == "dnssec-invalid") {
        return "fix the DNSSEC signatures of " + domain + " (and of the MX host's zone)";
    }
    return "check TLS on " + host + " (the sender reported " + type + ")";
}

std::vector<store::ReportFinding> tlsrpt_findings(const TlsReport& report, const std::string& org)
{
    std::vector<store::ReportFinding> out;
    for (std::size_t i = 0; i < report.policies.size(); ++i) {
        const TlsPolicy& p = report.policies[i];
        if (p.failed <= 0) {
            continue;
        }
        // Sessions per (result type, MX), largest first in the detail.
        std::map<std::pair<std::string, std::string>, std::int64_t> by_type;
        for (const TlsFailure& f : p.failures) {
            by_type[{f.result_type, f.receiving_mx_hostname}] += f.failed_session_count;
        }
        std::string types;
        std::string fixes;
        for (const auto& [key, n] : by_type) {
            types += (types.empty() ? "" : ", ") + key.first +
                     (key.second.empty() ? "" : " at " + key.second) + " (" + std::to_string(n) +
                     ")";
            const std::string fix = tls_failure_fix(key.first, key.second, p.policy_domain);
            if (fixes.find(fix) == std::string::npos) {
                fixes += (fixes.empty() ? "" : "; ") + fix;
            }
        }
        store::ReportFinding f;
        f.time = report.end;
        f.kind = "tlsrpt-failure";
        f.scope = reporter_scope(report.organization, report.contact_info);
        f.detail = (report.organization.empty() ? org : report.organization) + " (" +
                   report.start.substr(0, 10) + "): " + std::to_string(p.failed) + " of " +
                   std::to_string(p.failed + p.successful) + " sessions to " + p.policy_domain +
                   " failed TLS" + (types.empty() ? "" : ": " + types) + " [" + context(p) + "]";
        f.action = fixes.empty() ? "check TLS on the MX hosts of " + p.policy_domain : fixes;
        f.source_kind = "tlsrpt";
        f.source_key = "tlsrpt|" + org + "|" + report.report_id + "|" + std::to_string(i + 1);
        out.push_back(std::move(f));
    }
    return out;
}

TlsrptIngester::TlsrptIngester(store::Database* db) : m_db(db) {}

void TlsrptIngester::ingest(const std::string& path, const PolicySink& on_policy,
                            const MalformedSink& on_malformed)
{
    const std::string now = utc_now_iso();
    std::unique_ptr<store::Transaction> tx;
    if (m_db) {
        tx = std::make_unique<store::Transaction>(*m_db);
    }
    read_report_documents(path, [&](ReportDocument& doc) {
        ++m_stats.read;
        std::string error = doc.error;
        TlsParseResult parsed;
        if (error.empty()) {
            parsed = parse_tlsrpt_report(doc.content);
            error = parsed.error;
        }
        if (!parsed.report) {
            m_stats.add_malformed(doc.origin, error);
            if (on_malformed) {
                on_malformed(doc.origin, error);
            }
            return;
        }
        const TlsReport& report = *parsed.report;
        const std::string org = store::tlsrpt_org(report);
        bool fresh = true;
        if (m_db) {
            fresh = !store::has_tlsrpt_report(*m_db, org, report.report_id) &&
                    store::add_tlsrpt_report(*m_db, report, doc.origin, now) != 0;
            if (fresh) {
                for (const store::ReportFinding& f : tlsrpt_findings(report, org)) {
                    m_stats.findings += store::insert_report_finding(*m_db, f) ? 1 : 0;
                }
            }
        }
        ++(fresh ? m_stats.fresh : m_stats.skipped);
        m_stats.records += report.policies.size();
        for (const TlsPolicy& p : report.policies) {
            m_stats.messages += static_cast<std::uint64_t>(p.successful + p.failed);
            if (on_policy) {
                on_policy(IngestedTlsPolicy{doc.origin, report, p, fresh});
            }
        }
    });
    if (tx) {
        tx->commit();
    }
}

} // namespace smtpprobe::ingest
