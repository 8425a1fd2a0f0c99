// Observations of reports into the evidence stream (see report_evidence.hpp).
#include "monitor/ingest/reports/report_evidence.hpp"

#include "monitor/classify/classifier.hpp"
#include "monitor/run/node_name.hpp"

#include <algorithm>

namespace smtpprobe::ingest {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Domains reports are sent from that are not the provider's mail domains.
struct ReporterDomain {
    const char* suffix;
    const char* scope;
};
constexpr ReporterDomain k_reporter_domains[] = {
    {"yahooinc.com", "yahoo"},
    {"mimecastreport.com", "mimecast"},
    {"mimecast.org", "mimecast"},
    {"zohomail.com", "zoho"},
};

bool has_suffix(const std::string& host, const std::string& suffix)
{
    return host == suffix || (host.size() > suffix.size() && host.ends_with(suffix) &&
                              host[host.size() - suffix.size() - 1] == '.');
}

} // namespace

EvidenceHandOff::EvidenceHandOff(store::Database& db, const config::Config& config)
    : m_writer(db, monitor::node_name(config)), m_ours(evidence::OurIps::of(config))
{
}

void EvidenceHandOff::hand_off(const ReportObservation& o)
{
    evidence::Observation observation;
    observation.source = o.source_kind;
    observation.observed = evidence::Observed::statement;
    observation.stated_verdict = o.verdict;
    observation.stated_scope = o.scope;
    observation.stated_reason = o.reason;
    observation.stated_code = o.provider_code;
    observation.source_ip = o.ip;
    evidence::decide(observation, m_ours, m_decision);
    m_writer.record(o.time, o.source_kind, o.source_id, m_decision, o.observations);
}

void hand_off_evidence(store::Database& db, const config::Config& config,
                       const ReportObservation& o)
{
    EvidenceHandOff hand_off(db, config);
    hand_off.hand_off(o);
    hand_off.write();
}

std::string reporter_scope(const std::string& org_name, const std::string& email)
{
    const std::string org = lower(org_name);
    const auto at = email.rfind('@');
    const std::string domain =
        at == std::string::npos ? std::string() : lower(email.substr(at + 1));
    // Microsoft reports from dmarcreport@microsoft.com under two names: "Outlook.com" for the
    // consumer service, "Enterprise Outlook" for Microsoft 365.
    if (org == "outlook.com" || org == "hotmail.com") {
        return k_outlook_com_scope;
    }
    if (org.find("enterprise outlook") != std::string::npos ||
        (domain == "microsoft.com" && org.find("outlook") == std::string::npos)) {
        return "microsoft-365";
    }
    for (const std::string& candidate : {domain, org}) {
        if (candidate.empty()) {
            continue;
        }
        for (const ReporterDomain& r : k_reporter_domains) {
            if (has_suffix(candidate, r.suffix)) {
                return r.scope;
            }
        }
        const classify::Receiver receiver = classify::receiver_for_host(candidate);
        if (!receiver.provider.empty() && receiver.provider != "other") {
            return receiver.scope;
        }
    }
    return "reporter/" + (domain.empty() ? org : domain);
}

} // namespace smtpprobe::ingest
