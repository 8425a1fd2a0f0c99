// DMARC aggregate reports (RFC 7489 appendix C; DMARCbis, RFC 9990, with the namespace
// urn:ietf:params:xml:ns:dmarc-2.0; and the older draft format without <version>) read into
// plain values, with libxml2.
//
// The XML is hostile: it is parsed with the network off (XML_PARSE_NONET), entities never
// substituted (no XML_PARSE_NOENT), no DTD loaded (no XML_PARSE_DTDLOAD) and any document
// type declaration refused outright (a SAX hook stops the parser at <!DOCTYPE: no entity,
// internal or external, is ever declared, so none can expand); documents over
// k_max_dmarc_xml_bytes are refused unread and libxml2's own depth limit (256) holds. Text
// that is not UTF-8 is repaired (each bad byte becomes U+FFFD) and the report is kept with a
// note: a receiver's stray Latin-1 byte in a name must not lose its counts.
//
// Contract: parse_dmarc_report never throws; a document that is not a DMARC aggregate report
// (not XML, no <feedback>, no report id or org, no date range) returns an error; a record
// without a source IP or count is dropped and counted in skipped_records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::ingest {

inline constexpr std::size_t k_max_dmarc_xml_bytes = 64 * 1024 * 1024;
inline constexpr std::size_t k_max_dmarc_records = 200000;

struct DmarcDkimResult {
    std::string domain;
    std::string selector;
    std::string result; // none | pass | fail | policy | neutral | temperror | permerror
    std::string human_result;
};

struct DmarcSpfResult {
    std::string domain;
    std::string scope; // mfrom | helo | "" (DMARCbis drops it)
    std::string result;
    std::string human_result;
};

struct DmarcReason {
    std::string type; // forwarded | sampled_out | trusted_forwarder | mailing_list | ...
    std::string comment;
};

struct DmarcRecord {
    std::string source_ip; // as given (trimmed)
    std::int64_t count = 0;
    std::string disposition; // none | quarantine | reject | pass (DMARCbis)
    std::string dkim;        // policy_evaluated: the aligned DKIM result (pass | fail)
    std::string spf;         // policy_evaluated: the aligned SPF result
    std::vector<DmarcReason> reasons;
    std::string header_from;
    std::string envelope_from;
    std::string envelope_to;
    std::vector<DmarcDkimResult> dkim_results;
    std::vector<DmarcSpfResult> spf_results;
};

struct DmarcPolicy {
    std::string domain;
    std::string adkim; // r | s ("" = not published, r by default)
    std::string aspf;
    std::string p;
    std::string sp;
    std::string np;                  // DMARCbis
    std::optional<std::int64_t> pct; // RFC 7489 only
    std::string fo;
    std::string testing;          // DMARCbis: y | n
    std::string discovery_method; // DMARCbis: psl | treewalk
};

struct DmarcReport {
    std::string format; // "rfc7489" (version 1.0), "dmarcbis" (namespace or version 2.0),
                        // "draft" (no <version>)
    std::string version;
    std::string org_name;
    std::string email;
    std::string extra_contact_info;
    std::string report_id;
    std::int64_t begin = 0; // date_range, seconds since the epoch (UTC)
    std::int64_t end = 0;
    std::vector<std::string> errors; // report_metadata/error
    std::string generator;           // DMARCbis
    DmarcPolicy policy;
    std::vector<DmarcRecord> records;
    std::uint64_t skipped_records = 0; // records without a usable source IP or count
    std::vector<std::string> notes;    // repairs made ("invalid UTF-8 replaced")

    // Messages in all records.
    std::int64_t messages() const;
};

struct DmarcParseResult {
    std::optional<DmarcReport> report;
    std::string error; // why it is not a report ("" when report is set)
};

DmarcParseResult parse_dmarc_report(std::string_view xml);

} // namespace smtpprobe::ingest
