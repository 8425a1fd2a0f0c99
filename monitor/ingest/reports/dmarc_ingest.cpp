// The DMARC aggregate report pipeline (see dmarc_ingest.hpp).
#include "monitor/ingest/reports/dmarc_ingest.hpp"

#include "monitor/ingest/reports/dmarc_findings.hpp"
#include "monitor/ingest/reports/report_evidence.hpp"
#include "monitor/ingest/reports/report_input.hpp"
#include "monitor/store/dmarc_store.hpp"
#include "monitor/store/report_findings.hpp"
#include "probe/text/utc_time.hpp"

#include <chrono>

namespace smtpprobe::ingest {

namespace {

constexpr std::size_t k_batch_reports = 2000;

} // namespace

std::string dmarc_org(const DmarcReport& report)
{
    return report.org_name.empty() ? report.email : report.org_name;
}

DmarcIngester::DmarcIngester(store::Database* db, const config::Config& config)
    : m_db(db), m_config(config), m_ours(evidence::OurIps::of(config))
{
    if (m_db != nullptr) {
        m_store = std::make_unique<store::DmarcStore>(*m_db);
        m_findings = std::make_unique<store::ReportRows>(*m_db);
        m_evidence = std::make_unique<EvidenceHandOff>(*m_db, m_config);
    }
}

DmarcIngester::~DmarcIngester() = default;

void DmarcIngester::ingest(const std::string& path, const RecordSink& on_record,
                           const MalformedSink& on_malformed)
{
    m_now = utc_now_iso();
    read_report_documents(path, [&](ReportDocument& doc) {
        ++m_stats.read;
        if (!doc.error.empty()) {
            m_stats.add_malformed(doc.origin, doc.error);
            if (on_malformed) {
                on_malformed(doc.origin, doc.error);
            }
            return;
        }
        handle(doc.origin, doc.content, on_record, on_malformed);
        if (m_store && m_pending >= k_batch_reports) {
            m_evidence->write();
            m_store->commit();
            m_pending = 0;
        }
    });
    if (m_store) {
        m_evidence->write();
        m_store->commit();
        m_pending = 0;
    }
}

void DmarcIngester::handle(const std::string& origin, const std::string& xml,
                           const RecordSink& on_record, const MalformedSink& on_malformed)
{
    DmarcParseResult parsed = parse_dmarc_report(xml);
    if (!parsed.report) {
        m_stats.add_malformed(origin, parsed.error);
        if (on_malformed) {
            on_malformed(origin, parsed.error);
        }
        return;
    }
    const DmarcReport& report = *parsed.report;
    const std::string org = dmarc_org(report);
    const std::string scope = reporter_scope(report.org_name, report.email);
    std::vector<bool> ours;
    ours.reserve(report.records.size());
    for (const DmarcRecord& r : report.records) {
        ours.push_back(m_ours.contains(r.source_ip));
    }
    bool fresh = m_store == nullptr;
    if (m_store) {
        if (m_store->has_report(org, report.report_id)) {
            ++m_stats.skipped;
        } else {
            m_store->begin();
            std::vector<std::int64_t> record_ids;
            record_ids.reserve(report.records.size());
            const std::int64_t id =
                m_store->add_report(report, org, scope, ours, origin, m_now, record_ids);
            fresh = id != 0;
            if (fresh) {
                ++m_stats.fresh;
                ++m_pending;
                // Without an identity nothing is known to be ours: no proof, no finding.
                DmarcMeaning meaning = m_config.identities.empty()
                                           ? DmarcMeaning{}
                                           : dmarc_meaning(report, ours, org, scope);
                for (ReportObservation& o : meaning.observations) {
                    o.source_id = record_ids.at(static_cast<std::size_t>(o.source_id));
                    m_evidence->hand_off(o);
                    ++m_stats.evidence;
                }
                for (const store::ReportFinding& f : meaning.findings) {
                    m_stats.findings += m_findings->add_finding(f) ? 1 : 0;
                }
            } else {
                ++m_stats.skipped; // stored by a concurrent run between the check and now
            }
        }
    } else {
        ++m_stats.fresh;
    }
    m_stats.records += report.records.size();
    for (std::size_t i = 0; i < report.records.size(); ++i) {
        m_stats.messages += static_cast<std::uint64_t>(report.records[i].count);
        if (on_record) {
            on_record(
                IngestedDmarcRecord{origin, report, report.records[i], org, scope, ours[i], fresh});
        }
    }
}

} // namespace smtpprobe::ingest
