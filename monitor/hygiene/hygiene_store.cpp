// See hygiene_store.hpp.
#include "monitor/hygiene/hygiene_store.hpp"

#include "monitor/store/hygiene_rows.hpp"
#include "probe/text/json_output.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::hygiene {

std::int64_t store_hygiene_report(store::Database& db, const HygieneReport& report,
                                  const std::string& time, const std::string& node)
{
    store::HygieneRow row;
    row.time = time;
    row.ip = report.ip;
    row.helo = report.helo;
    row.mail_from_domain = report.mail_from_domain;
    row.ptr_names = json_text(nlohmann::json(report.ptr.names));
    row.fcrdns = report.ptr.forward_confirmed;
    row.helo_matches = report.ptr.matches_helo;
    row.ptr_detail = report.ptr.detail;
    row.spf = to_string(report.spf.result);
    row.spf_record = report.spf.record;
    row.spf_detail = report.spf.detail;
    row.dmarc_present = report.dmarc.present;
    row.dmarc_policy = report.dmarc.policy;
    row.dmarc_record = report.dmarc.record;
    row.dmarc_detail = report.dmarc.detail;
    row.unknown = report.any_unknown();
    row.all_ok = report.all_ok();
    row.node = node;
    return store::insert_hygiene_check(db, row);
}

std::optional<StoredHygiene> latest_hygiene(store::Database& db, const std::string& ip)
{
    std::optional<store::HygieneRow> latest = store::read_latest_hygiene_of(db, ip);
    if (!latest) {
        return std::nullopt;
    }
    StoredHygiene row;
    row.time = latest->time;
    row.fcrdns = latest->fcrdns;
    row.helo_matches = latest->helo_matches;
    row.spf_result = latest->spf;
    row.dmarc_present = latest->dmarc_present;
    row.dmarc_policy = latest->dmarc_policy;
    row.unknown = latest->unknown;
    row.all_ok = latest->all_ok;
    row.ptr_detail = latest->ptr_detail;
    row.spf_detail = latest->spf_detail;
    row.dmarc_detail = latest->dmarc_detail;
    return row;
}

} // namespace smtpprobe::hygiene
