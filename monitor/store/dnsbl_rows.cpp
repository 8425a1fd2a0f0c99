// dnsbl_check SQL (see dnsbl_rows.hpp).
#include "monitor/store/dnsbl_rows.hpp"

namespace smtpprobe::store {

std::int64_t insert_dnsbl_check(Database& db, const DnsblCheckRow& row)
{
    auto text_or_null = [](const std::string& text) {
        return text.empty() ? std::optional<std::string>() : std::optional<std::string>(text);
    };
    db.prepare("INSERT INTO dnsbl_check (time, ip, zone, result, codes, txt, meaning, node) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, row.time)
        .bind(2, row.ip)
        .bind(3, row.zone)
        .bind(4, row.result)
        .bind(5, row.codes)
        .bind(6, text_or_null(row.txt))
        .bind(7, text_or_null(row.meaning))
        .bind(8, text_or_null(row.node))
        .run();
    return db.last_insert_id();
}

} // namespace smtpprobe::store
