// Findings and evidence rows of the report sources (see report_findings.hpp).
#include "monitor/store/report_findings.hpp"

namespace smtpprobe::store {

namespace {

std::optional<std::string> optional_text(const std::string& value)
{
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

} // namespace

ReportRows::ReportRows(Database& db)
    : m_db(db),
      m_finding(db, "INSERT OR IGNORE INTO finding (time, kind, detail, source_kind, source_key, "
                    "ip, scope, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
{
}

bool ReportRows::add_finding(const ReportFinding& f)
{
    m_finding.bind(1, f.time)
        .bind(2, f.kind)
        .bind(3, f.detail)
        .bind(4, f.source_kind)
        .bind(5, f.source_key)
        .bind(6, optional_text(f.ip))
        .bind(7, optional_text(f.scope))
        .bind(8, optional_text(f.action));
    m_finding.run();
    return m_db.changes() > 0;
}

bool insert_report_finding(Database& db, const ReportFinding& finding)
{
    return ReportRows(db).add_finding(finding);
}

} // namespace smtpprobe::store
