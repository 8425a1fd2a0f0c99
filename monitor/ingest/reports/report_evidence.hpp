// What the receivers' reports say about our sending IPs, as observations for the evidence
// stream, and the one function through which they enter it.
//
// Each report source (SNDS, DMARC; TLS-RPT is about our inbound MX and yields findings only)
// turns what it read into ReportObservations and hands them to an EvidenceHandOff, which puts
// them through the evidence policy (monitor/evidence/policy.hpp: a report is a statement about
// the IP it names) and its one writer. The scope a reporter stands for is answered here.
//
// Contract: at most one evidence row per (source kind, source id, scope): handing the same
// observation over again changes nothing. Values are bound.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/evidence/policy.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <string>

namespace smtpprobe::ingest {

// The scope of Outlook.com's own feeds (SNDS, its DMARC reports), which name no cluster: the
// cluster of the default Outlook.com receiver (outlook-com.olc.protection.outlook.com), so
// they share a lane with its probes and with bounces from that cluster.
inline constexpr const char* k_outlook_com_scope = "microsoft-consumer/outlook-com";

struct ReportObservation {
    std::string time; // ISO 8601 UTC: when the observation holds from
    std::string ip;   // our sending IP
    std::string scope;
    evidence::Verdict verdict = evidence::Verdict::unknown;
    std::string reason; // Sisimai vocabulary: blocked, delivered
    std::string provider_code;
    evidence::SourceKind source_kind = evidence::SourceKind::snds;
    std::int64_t source_id = 0;
    std::int64_t observations = 1; // messages a DMARC record counted (>= 1)
};

// The report sources' way into the evidence stream: each observation through the policy and
// the writer. Rows are pending until write(), which the caller runs inside its transaction
// before it commits.
class EvidenceHandOff {
public:
    EvidenceHandOff(store::Database& db, const config::Config& config);
    void hand_off(const ReportObservation& observation);
    void write() { m_writer.write(); }
    void discard() { m_writer.discard(); }

private:
    evidence::EvidenceWriter m_writer;
    evidence::OurIps m_ours;
    evidence::Decision m_decision;
};

// One observation written at once (inside the caller's transaction).
void hand_off_evidence(store::Database& db, const config::Config& config,
                       const ReportObservation& observation);

// The receiver scope a DMARC or TLS reporter stands for, from its org name and contact
// address: Outlook.com → k_outlook_com_scope, Microsoft's enterprise reports → microsoft-365,
// else the provider of the address's domain (classify::receiver_for_host: google, yahoo,
// zoho, mimecast, ...; report-sending domains that differ from mail domains mapped first),
// else "reporter/<domain>".
std::string reporter_scope(const std::string& org_name, const std::string& email);

} // namespace smtpprobe::ingest
