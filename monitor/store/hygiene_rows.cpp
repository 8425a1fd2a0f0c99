// The hygiene_check SQL (see hygiene_rows.hpp).
#include "monitor/store/hygiene_rows.hpp"

namespace smtpprobe::store {

namespace {

constexpr const char* k_read_columns =
    "SELECT h.ip, h.time, h.helo, h.mail_from_domain, h.fcrdns, h.helo_matches, h.spf_result, "
    "h.dmarc_present, coalesce(h.dmarc_policy, ''), h.all_ok, h.unknown, coalesce(h.detail, ''), "
    "coalesce(h.ptr_detail, ''), coalesce(h.spf_detail, ''), coalesce(h.dmarc_detail, '') ";

HygieneRow read_row(const Statement& st)
{
    HygieneRow row;
    row.ip = st.column_text(0);
    row.time = st.column_text(1);
    row.helo = st.column_text(2);
    row.mail_from_domain = st.column_text(3);
    row.fcrdns = st.column_int(4) != 0;
    row.helo_matches = st.column_int(5) != 0;
    row.spf = st.column_text(6);
    row.dmarc_present = st.column_int(7) != 0;
    row.dmarc_policy = st.column_text(8);
    row.all_ok = st.column_int(9) != 0;
    row.unknown = st.column_int(10) != 0;
    row.detail = st.column_text(11);
    row.ptr_detail = st.column_text(12);
    row.spf_detail = st.column_text(13);
    row.dmarc_detail = st.column_text(14);
    return row;
}

} // namespace

std::int64_t insert_hygiene_check(Database& db, const HygieneRow& row)
{
    Statement insert(db,
                     "INSERT INTO hygiene_check (time, ip, helo, mail_from_domain, ptr_names, "
                     "fcrdns, helo_matches, ptr_detail, spf_result, spf_record, spf_detail, "
                     "dmarc_present, dmarc_policy, dmarc_record, dmarc_detail, unknown, all_ok, "
                     "node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, row.time)
        .bind(2, row.ip)
        .bind(3, row.helo)
        .bind(4, row.mail_from_domain)
        .bind(5, row.ptr_names)
        .bind(6, row.fcrdns ? 1 : 0)
        .bind(7, row.helo_matches ? 1 : 0)
        .bind_text_or_null(8, row.ptr_detail)
        .bind(9, row.spf)
        .bind_text_or_null(10, row.spf_record)
        .bind_text_or_null(11, row.spf_detail)
        .bind(12, row.dmarc_present ? 1 : 0)
        .bind_text_or_null(13, row.dmarc_policy)
        .bind_text_or_null(14, row.dmarc_record)
        .bind_text_or_null(15, row.dmarc_detail)
        .bind(16, row.unknown ? 1 : 0)
        .bind(17, row.all_ok ? 1 : 0)
        .bind_text_or_null(18, row.node);
    insert.run();
    return db.last_insert_id();
}

void set_hygiene_detail(Database& db, std::int64_t id, const std::string& detail)
{
    db.prepare("UPDATE hygiene_check SET detail = ? WHERE id = ?")
        .bind(1, detail)
        .bind(2, id)
        .run();
}

std::optional<HygieneRow> read_latest_hygiene_of(Database& db, const std::string& ip)
{
    Statement st(db, std::string(k_read_columns) +
                         "FROM hygiene_check h WHERE h.ip = ? ORDER BY h.time DESC, h.id DESC "
                         "LIMIT 1");
    st.bind(1, ip);
    if (!st.step()) {
        return std::nullopt;
    }
    return read_row(st);
}

std::vector<HygieneRow> read_latest_hygiene(Database& db)
{
    Statement st(db, std::string(k_read_columns) +
                         "FROM hygiene_check h WHERE h.id = (SELECT max(id) FROM hygiene_check x "
                         "WHERE x.ip = h.ip) ORDER BY h.ip");
    std::vector<HygieneRow> rows;
    while (st.step()) {
        rows.push_back(read_row(st));
    }
    return rows;
}

} // namespace smtpprobe::store
