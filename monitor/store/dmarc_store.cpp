// DMARC report and record rows (see dmarc_store.hpp).
#include "monitor/store/dmarc_store.hpp"

#include "probe/text/utc_time.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

namespace smtpprobe::store {

namespace {

using nlohmann::json;

std::optional<std::string> optional_text(const std::string& value)
{
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

std::string dump(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json reasons_json(const ingest::DmarcRecord& r)
{
    json out = json::array();
    for (const auto& reason : r.reasons) {
        out.push_back({{"type", reason.type}, {"comment", reason.comment}});
    }
    return out;
}

json dkim_json(const ingest::DmarcRecord& r)
{
    json out = json::array();
    for (const auto& d : r.dkim_results) {
        out.push_back({{"domain", d.domain},
                       {"selector", d.selector},
                       {"result", d.result},
                       {"human_result", d.human_result}});
    }
    return out;
}

json spf_json(const ingest::DmarcRecord& r)
{
    json out = json::array();
    for (const auto& s : r.spf_results) {
        out.push_back({{"domain", s.domain},
                       {"scope", s.scope},
                       {"result", s.result},
                       {"human_result", s.human_result}});
    }
    return out;
}

} // namespace

DmarcStore::DmarcStore(Database& db)
    : m_db(db), m_has(db, "SELECT 1 FROM dmarc_report WHERE org = ?1 AND report_id = ?2"),
      m_insert_report(
          db, "INSERT OR IGNORE INTO dmarc_report (org, report_id, email, extra_contact, "
              "begin_time, end_time, format, version, scope, policy_domain, adkim, aspf, p, sp, "
              "np, pct, fo, testing, errors, records, messages, skipped_records, notes, origin, "
              "ingested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
              "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"),
      m_insert_record(
          db, "INSERT INTO dmarc_record (report, seq, source_ip, count, disposition, dkim, spf, "
              "reasons, header_from, envelope_from, envelope_to, dkim_auth, spf_auth, ours) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
{
    // The default cache (2000 KiB: 31 pages of 64 KiB) made every batch read the same index
    // pages from the file again and again (a tenth of the ingest went to pread copies); 32 MiB
    // as for log ingestion (ingest_store.cpp).
    if (!m_db.is_postgresql()) {
        m_db.exec("PRAGMA cache_size = -32768");
    }
}

DmarcStore::~DmarcStore() = default;

void DmarcStore::begin()
{
    if (!m_tx) {
        m_tx = std::make_unique<Transaction>(m_db);
    }
}

void DmarcStore::commit()
{
    if (m_tx) {
        m_tx->commit();
        m_tx.reset();
    }
}

bool DmarcStore::has_report(const std::string& org, const std::string& report_id)
{
    m_has.reset();
    m_has.bind(1, org).bind(2, report_id);
    const bool found = m_has.step();
    m_has.reset();
    return found;
}

std::int64_t DmarcStore::add_report(const ingest::DmarcReport& r, const std::string& org,
                                    const std::string& scope, const std::vector<bool>& ours,
                                    const std::string& origin, const std::string& now,
                                    std::vector<std::int64_t>& record_ids)
{
    json errors = r.errors;
    json notes = r.notes;
    m_insert_report.bind(1, org)
        .bind(2, r.report_id)
        .bind(3, optional_text(r.email))
        .bind(4, optional_text(r.extra_contact_info))
        .bind(5, format_utc(r.begin))
        .bind(6, format_utc(r.end))
        .bind(7, r.format)
        .bind(8, optional_text(r.version))
        .bind(9, scope)
        .bind(10, optional_text(r.policy.domain))
        .bind(11, optional_text(r.policy.adkim))
        .bind(12, optional_text(r.policy.aspf))
        .bind(13, optional_text(r.policy.p))
        .bind(14, optional_text(r.policy.sp))
        .bind(15, optional_text(r.policy.np))
        .bind(16, r.policy.pct)
        .bind(17, optional_text(r.policy.fo))
        .bind(18, optional_text(r.policy.testing))
        .bind(19, r.errors.empty() ? std::nullopt : std::optional<std::string>(dump(errors)))
        .bind(20, static_cast<std::int64_t>(r.records.size()))
        .bind(21, r.messages())
        .bind(22, static_cast<std::int64_t>(r.skipped_records))
        .bind(23, r.notes.empty() ? std::nullopt : std::optional<std::string>(dump(notes)))
        .bind(24, optional_text(origin))
        .bind(25, now);
    m_insert_report.run();
    if (m_db.changes() == 0) {
        return 0;
    }
    const std::int64_t report_id = m_db.last_insert_id();
    for (std::size_t i = 0; i < r.records.size(); ++i) {
        const ingest::DmarcRecord& rec = r.records[i];
        m_insert_record.bind(1, report_id)
            .bind(2, static_cast<std::int64_t>(i + 1))
            .bind(3, rec.source_ip)
            .bind(4, rec.count)
            .bind(5, optional_text(rec.disposition))
            .bind(6, optional_text(rec.dkim))
            .bind(7, optional_text(rec.spf))
            .bind(8, rec.reasons.empty() ? std::nullopt
                                         : std::optional<std::string>(dump(reasons_json(rec))))
            .bind(9, optional_text(rec.header_from))
            .bind(10, optional_text(rec.envelope_from))
            .bind(11, optional_text(rec.envelope_to))
            .bind(12, dump(dkim_json(rec)))
            .bind(13, dump(spf_json(rec)))
            .bind(14, i < ours.size() && ours[i] ? 1 : 0);
        m_insert_record.run();
        record_ids.push_back(m_db.last_insert_id());
    }
    return report_id;
}

} // namespace smtpprobe::store
