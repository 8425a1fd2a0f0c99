// TLS report and policy rows (see tlsrpt_store.hpp).
#include "monitor/store/tlsrpt_store.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::store {

namespace {

using nlohmann::json;

std::string dump(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json failures_json(const ingest::TlsPolicy& p)
{
    json out = json::array();
    for (const ingest::TlsFailure& f : p.failures) {
        out.push_back({{"result_type", f.result_type},
                       {"sending_mta_ip", f.sending_mta_ip},
                       {"receiving_mx_hostname", f.receiving_mx_hostname},
                       {"receiving_mx_helo", f.receiving_mx_helo},
                       {"receiving_ip", f.receiving_ip},
                       {"failed_session_count", f.failed_session_count},
                       {"additional_information", f.additional_information},
                       {"failure_reason_code", f.failure_reason_code}});
    }
    return out;
}

} // namespace

std::string tlsrpt_org(const ingest::TlsReport& report)
{
    return report.organization.empty() ? report.contact_info : report.organization;
}

bool has_tlsrpt_report(Database& db, const std::string& org, const std::string& report_id)
{
    Statement st(db, "SELECT 1 FROM tlsrpt_report WHERE organization = ? AND report_id = ?");
    st.bind(1, org).bind(2, report_id);
    return st.step();
}

std::int64_t add_tlsrpt_report(Database& db, const ingest::TlsReport& r, const std::string& origin,
                               const std::string& now)
{
    std::int64_t successful = 0;
    std::int64_t failed = 0;
    for (const ingest::TlsPolicy& p : r.policies) {
        successful += p.successful;
        failed += p.failed;
    }
    db.prepare("INSERT OR IGNORE INTO tlsrpt_report (organization, report_id, contact_info, "
               "start_time, end_time, policies, successful, failed, origin, ingested_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, tlsrpt_org(r))
        .bind(2, r.report_id)
        .bind(3, r.contact_info)
        .bind(4, r.start)
        .bind(5, r.end)
        .bind(6, static_cast<std::int64_t>(r.policies.size()))
        .bind(7, successful)
        .bind(8, failed)
        .bind(9, origin)
        .bind(10, now)
        .run();
    if (db.changes() == 0) {
        return 0;
    }
    const std::int64_t id = db.last_insert_id();
    Statement insert(db, "INSERT INTO tlsrpt_policy (report, seq, policy_type, policy_domain, "
                         "policy_string, mx_host, successful, failed, failures) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (std::size_t i = 0; i < r.policies.size(); ++i) {
        const ingest::TlsPolicy& p = r.policies[i];
        insert.bind(1, id)
            .bind(2, static_cast<std::int64_t>(i + 1))
            .bind(3, p.policy_type)
            .bind(4, p.policy_domain)
            .bind(5, dump(json(p.policy_strings)))
            .bind(6, dump(json(p.mx_hosts)))
            .bind(7, p.successful)
            .bind(8, p.failed)
            .bind(9, dump(failures_json(p)));
        insert.run();
    }
    return id;
}

} // namespace smtpprobe::store
