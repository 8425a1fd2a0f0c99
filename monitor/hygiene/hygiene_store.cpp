// See hygiene_store.hpp.
#include "monitor/hygiene/hygiene_store.hpp"

#include "probe/text/json_output.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::hygiene {

namespace {

std::optional<std::string> optional_text(const std::string& text)
{
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

} // namespace

std::int64_t store_hygiene_report(store::Database& db, const HygieneReport& report,
                                  const std::string& time)
{
    store::Statement insert(
        db, "INSERT INTO hygiene_check (time, ip, helo, mail_from_domain, ptr_names, fcrdns, "
            "helo_matches, ptr_detail, spf_result, spf_record, spf_detail, dmarc_present, "
            "dmarc_policy, dmarc_record, dmarc_detail, unknown, all_ok) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, time)
        .bind(2, report.ip)
        .bind(3, report.helo)
        .bind(4, report.mail_from_domain)
        .bind(5, json_text(nlohmann::json(report.ptr.names)))
        .bind(6, report.ptr.forward_confirmed ? 1 : 0)
        .bind(7, report.ptr.matches_helo ? 1 : 0)
        .bind(8, optional_text(report.ptr.detail))
        .bind(9, to_string(report.spf.result))
        .bind(10, optional_text(report.spf.record))
        .bind(11, optional_text(report.spf.detail))
        .bind(12, report.dmarc.present ? 1 : 0)
        .bind(13, optional_text(report.dmarc.policy))
        .bind(14, optional_text(report.dmarc.record))
        .bind(15, optional_text(report.dmarc.detail))
        .bind(16, report.any_unknown() ? 1 : 0)
        .bind(17, report.all_ok() ? 1 : 0);
    insert.run();
    return db.last_insert_id();
}

std::optional<StoredHygiene> latest_hygiene(store::Database& db, const std::string& ip)
{
    store::Statement select(
        db, "SELECT time, fcrdns, helo_matches, spf_result, dmarc_present, dmarc_policy, "
            "unknown, all_ok, ptr_detail, spf_detail, dmarc_detail FROM hygiene_check "
            "WHERE ip = ? ORDER BY time DESC, id DESC LIMIT 1");
    select.bind(1, ip);
    if (!select.step()) {
        return std::nullopt;
    }
    StoredHygiene row;
    row.time = select.column_text(0);
    row.fcrdns = select.column_int(1) != 0;
    row.helo_matches = select.column_int(2) != 0;
    row.spf_result = select.column_text(3);
    row.dmarc_present = select.column_int(4) != 0;
    row.dmarc_policy = select.column_optional_text(5).value_or("");
    row.unknown = select.column_int(6) != 0;
    row.all_ok = select.column_int(7) != 0;
    row.ptr_detail = select.column_optional_text(8).value_or("");
    row.spf_detail = select.column_optional_text(9).value_or("");
    row.dmarc_detail = select.column_optional_text(10).value_or("");
    return row;
}

} // namespace smtpprobe::hygiene
