// See dnsbl_store.hpp.
#include "monitor/dnsbl/dnsbl_store.hpp"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace smtpprobe::dnsbl {

std::vector<std::int64_t> store_dnsbl_report(store::Database& db, const DnsblReport& report,
                                             const std::string& time)
{
    std::vector<std::int64_t> ids;
    store::Transaction transaction(db);
    store::Statement insert(db, "INSERT INTO dnsbl_check (time, ip, zone, result, codes, txt, "
                                "meaning) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const IpReport& ip : report.ips) {
        const std::string address = ip.ip.to_string();
        for (const ZoneCheck& check : ip.zones) {
            std::string txt;
            for (const std::string& record : check.txt) {
                txt += (txt.empty() ? "" : "\n") + record;
            }
            insert.bind(1, time)
                .bind(2, address)
                .bind(3, check.zone)
                .bind(4, to_string(check.result))
                .bind(5, nlohmann::json(check.codes).dump())
                .bind(6, check.txt.empty() ? std::optional<std::string>() : txt)
                .bind(7, check.meaning.empty() ? std::optional<std::string>() : check.meaning);
            insert.run();
            ids.push_back(db.last_insert_id());
        }
    }
    transaction.commit();
    return ids;
}

std::string utc_now_iso8601()
{
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    gmtime_r(&now, &parts);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return buffer;
}

} // namespace smtpprobe::dnsbl
