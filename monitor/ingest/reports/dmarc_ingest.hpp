// `ingest dmarc` as a library: reads every report document under the given paths
// (report_input: XML, .gz, .zip, or mails carrying them), parses each (dmarc_report.hpp),
// skips reports already stored (org + report id), stores the new ones with their records
// (store/dmarc_store.hpp), hands their meaning (dmarc_findings.hpp) to the evidence stream and
// the findings, and reports each record and each malformed document to the caller.
//
// Contract: peer data never throws (a document that is not a report is counted malformed with
// its reason and skipped); an unreadable path throws SourceError; a store failure throws
// StoreError after rolling back the open batch. Without a store (dry run) nothing is skipped
// or written.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/ingest/reports/dmarc_report.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::store {
class DmarcStore;
}

namespace smtpprobe::ingest {

// The counts of one ingest (the last --json line's "summary").
struct ReportIngestStats {
    std::uint64_t read = 0;      // report documents read (after unpacking)
    std::uint64_t fresh = 0;     // new reports stored ("new")
    std::uint64_t malformed = 0; // documents that are not reports, with a reason
    std::uint64_t skipped = 0;   // reports stored before (same identity)
    std::uint64_t records = 0;   // records (DMARC) or policies (TLS-RPT) of parsed reports
    std::uint64_t messages = 0;  // messages (DMARC) or sessions (TLS-RPT) they count
    std::uint64_t evidence = 0;  // observations handed to the evidence stream
    std::uint64_t findings = 0;  // new findings
    std::vector<std::string> malformed_samples; // "origin: why" (at most 20)

    void add_malformed(const std::string& origin, const std::string& why);
};

// One record of a parsed report, as handed to the caller.
struct IngestedDmarcRecord {
    const std::string& origin;
    const DmarcReport& report;
    const DmarcRecord& record;
    const std::string& org;
    const std::string& scope;
    bool ours;
    bool fresh; // the report was stored by this run
};

class DmarcIngester {
public:
    // db may be null: parse only.
    DmarcIngester(store::Database* db, const config::Config& config);
    ~DmarcIngester();

    using RecordSink = std::function<void(const IngestedDmarcRecord&)>;
    using MalformedSink = std::function<void(const std::string& origin, const std::string& why)>;

    // Ingests every report under path ("-" = stdin). Commits before returning.
    void ingest(const std::string& path, const RecordSink& on_record = {},
                const MalformedSink& on_malformed = {});

    const ReportIngestStats& stats() const { return m_stats; }

private:
    void handle(const std::string& origin, const std::string& xml, const RecordSink& on_record,
                const MalformedSink& on_malformed);

    store::Database* m_db;
    const config::Config& m_config;
    std::unique_ptr<store::DmarcStore> m_store;
    ReportIngestStats m_stats;
    std::size_t m_pending = 0;
    std::string m_now;
};

// The identity org of a report: its org_name, else its email.
std::string dmarc_org(const DmarcReport& report);

} // namespace smtpprobe::ingest
