// What the receivers' reports say about our sending IPs, as observations for the evidence
// stream, and the one function through which they enter it.
//
// Each report source (SNDS, DMARC; TLS-RPT is about our inbound MX and yields findings only)
// turns what it read into ReportObservations and hands them to hand_off_evidence(). Until
// monitor/evidence (the one owner of scope, verdict and sending-IP attribution, issue 14)
// lands, the scope of a reporter and "is this IP ours" are answered here, in one place each,
// so switching to its writer and its attribution is a change of this file alone.
//
// Contract: hand_off_evidence writes at most one evidence row per (source kind, source id,
// scope): handing the same observation over again changes nothing. Values are bound.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/report_findings.hpp"

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
    std::string verdict; // blocked | clear
    std::string reason;  // Sisimai vocabulary: blocked, delivered
    std::string provider_code;
    std::string source_kind; // snds | dmarc
    std::int64_t source_id = 0;
    std::int64_t observations = 1; // messages a DMARC record counted (>= 1)
};

// EVIDENCE HAND-OFF: the only place report sources write evidence. Switch to the writer of
// monitor/evidence when it lands on main (its header documents the API: an EvidenceWriter
// per transaction, record() per observation, write() before commit).
class EvidenceHandOff {
public:
    explicit EvidenceHandOff(store::Database& db);
    void hand_off(const ReportObservation& observation);

private:
    store::ReportRows m_rows;
};

// One observation (an EvidenceHandOff for one row).
void hand_off_evidence(store::Database& db, const ReportObservation& observation);

// Whether ip is one of our sending identities (the config's [[identity]] IPs, compared as
// addresses: "2001:db8::1" equals "2001:DB8:0:0::1"). false when no identity is configured.
bool is_our_ip(const config::Config& config, const std::string& ip);

// The receiver scope a DMARC or TLS reporter stands for, from its org name and contact
// address: Outlook.com → k_outlook_com_scope, Microsoft's enterprise reports → microsoft-365,
// else the provider of the address's domain (classify::receiver_for_host: google, yahoo,
// zoho, mimecast, ...; report-sending domains that differ from mail domains mapped first),
// else "reporter/<domain>".
std::string reporter_scope(const std::string& org_name, const std::string& email);

} // namespace smtpprobe::ingest
