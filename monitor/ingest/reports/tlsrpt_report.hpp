// SMTP TLS reports (RFC 8460 section 4) read into plain values with nlohmann::json: the
// reporting organization, the period, and per policy (policy domain, type sts | tlsa |
// no-policy-found, MX host patterns) the successful and failed session counts and each
// failure detail (result type, sending MTA IP, receiving MX and IP, count, reason code).
//
// Contract: hostile input: documents over k_max_tlsrpt_bytes are refused unread, nesting past
// k_max_tlsrpt_depth is refused while parsing, and at most k_max_tlsrpt_policies policies and
// k_max_tlsrpt_failures failure details per policy are kept (the rest counted as skipped).
// parse_tlsrpt_report never throws: a document that is not JSON, not an object, or lacks the
// report id, organization or date range returns an error. Fields of the wrong JSON type are
// read as absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

inline constexpr std::size_t k_max_tlsrpt_bytes = 16 * 1024 * 1024;
inline constexpr int k_max_tlsrpt_depth = 16;
inline constexpr std::size_t k_max_tlsrpt_policies = 10000;
inline constexpr std::size_t k_max_tlsrpt_failures = 1000;

struct TlsFailure {
    std::string result_type; // starttls-not-supported, certificate-expired, validation-failure ..
    std::string sending_mta_ip;
    std::string receiving_mx_hostname;
    std::string receiving_mx_helo;
    std::string receiving_ip;
    std::int64_t failed_session_count = 0;
    std::string additional_information;
    std::string failure_reason_code;
};

struct TlsPolicy {
    std::string policy_type; // sts | tlsa | no-policy-found
    std::string policy_domain;
    std::vector<std::string> policy_strings;
    std::vector<std::string> mx_hosts; // "mx-host": a string or an array of strings
    std::int64_t successful = 0;
    std::int64_t failed = 0;
    std::vector<TlsFailure> failures;
    std::uint64_t skipped_failures = 0;
};

struct TlsReport {
    std::string organization;
    std::string contact_info;
    std::string report_id;
    std::string start; // ISO 8601 as given (RFC 3339)
    std::string end;
    std::vector<TlsPolicy> policies;
    std::uint64_t skipped_policies = 0;
};

struct TlsParseResult {
    std::optional<TlsReport> report;
    std::string error;
};

TlsParseResult parse_tlsrpt_report(std::string_view json_text);

} // namespace smtpprobe::ingest
