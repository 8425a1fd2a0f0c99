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
#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/ingest/reports/report_stats.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::store {
class DmarcStore;
class ReportRows;
} // namespace smtpprobe::store

namespace smtpprobe::ingest {

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
    std::unique_ptr<store::ReportRows> m_findings;
    std::unique_ptr<EvidenceHandOff> m_evidence;
    evidence::OurIps m_ours;
    ReportIngestStats m_stats;
    std::size_t m_pending = 0;
    std::string m_now;
};

// The identity org of a report: its org_name, else its email.
std::string dmarc_org(const DmarcReport& report);

} // namespace smtpprobe::ingest
