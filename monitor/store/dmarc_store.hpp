// SQL of DMARC aggregate reports (schema/016_reports.sql): one dmarc_report row per
// (org, report id) and one dmarc_record row per record, written in batched transactions.
//
// Contract: values bound; statements prepared once per store; add_report inserts the report
// and all its records or, when (org, report id) is already stored, nothing (returns 0).
#pragma once

#include "monitor/ingest/reports/dmarc_report.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::store {

class DmarcStore {
public:
    explicit DmarcStore(Database& db);
    ~DmarcStore();
    DmarcStore(const DmarcStore&) = delete;
    DmarcStore& operator=(const DmarcStore&) = delete;

    // Opens a write transaction if none is open; commits the open one.
    void begin();
    void commit();

    // Whether (org, report_id) is stored.
    bool has_report(const std::string& org, const std::string& report_id);

    // Stores a report and its records (ours[i]: record i comes from one of our IPs); the
    // record ids are appended to record_ids in order. Returns the report id, 0 when it was
    // stored before. Needs begin().
    std::int64_t add_report(const ingest::DmarcReport& report, const std::string& org,
                            const std::string& scope, const std::vector<bool>& ours,
                            const std::string& origin, const std::string& now,
                            std::vector<std::int64_t>& record_ids);

private:
    Database& m_db;
    std::unique_ptr<Transaction> m_tx;
    Statement m_has;
    Statement m_insert_report;
    Statement m_insert_record;
};

} // namespace smtpprobe::store
