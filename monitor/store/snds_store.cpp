// SNDS fetches, rows and per-IP states (see snds_store.hpp).
#include "monitor/store/snds_store.hpp"

namespace smtpprobe::store {

namespace {

std::optional<std::string> optional_text(const std::string& value)
{
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

} // namespace

std::int64_t add_snds_fetch(Database& db, const std::string& time, const std::string& feed,
                            const std::string& source, const std::string& outcome,
                            const std::string& detail, std::int64_t rows, std::int64_t malformed)
{
    db.prepare("INSERT INTO snds_fetch (time, feed, source, outcome, detail, rows, malformed) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, time)
        .bind(2, feed)
        .bind(3, source)
        .bind(4, outcome)
        .bind(5, optional_text(detail))
        .bind(6, rows)
        .bind(7, malformed)
        .run();
    return db.last_insert_id();
}

bool snds_file_seen(Database& db, const std::string& digest)
{
    Statement st(db, "SELECT 1 FROM snds_fetch WHERE feed = 'file' AND detail = ?");
    st.bind(1, digest);
    return st.step();
}

void add_snds_status_row(Database& db, std::int64_t fetch, const ingest::SndsStatusRow& row)
{
    db.prepare("INSERT INTO snds_status (fetch, first_ip, last_ip, blocked, reason) "
               "VALUES (?, ?, ?, ?, ?)")
        .bind(1, fetch)
        .bind(2, row.first_ip)
        .bind(3, row.last_ip)
        .bind(4, row.blocked ? 1 : 0)
        .bind(5, optional_text(row.reason))
        .run();
}

std::optional<std::int64_t> add_snds_data(Database& db, std::int64_t fetch,
                                          const ingest::SndsDataRow& r)
{
    db.prepare("INSERT OR IGNORE INTO snds_data (ip, start_time, end_time, rcpt_commands, "
               "data_commands, recipients, filter, complaint_rate, complaint_percent, "
               "trap_start, trap_end, trap_hits, sample_helo, sample_mail_from, comments, fetch) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, r.ip)
        .bind(2, r.start.empty() ? std::string("unknown") : r.start)
        .bind(3, optional_text(r.end))
        .bind(4, r.rcpt_commands)
        .bind(5, r.data_commands)
        .bind(6, r.recipients)
        .bind(7, optional_text(r.filter))
        .bind(8, optional_text(r.complaint_rate))
        .bind(9, r.complaint_percent)
        .bind(10, optional_text(r.trap_start))
        .bind(11, optional_text(r.trap_end))
        .bind(12, r.trap_hits)
        .bind(13, optional_text(r.sample_helo))
        .bind(14, optional_text(r.sample_mail_from))
        .bind(15, optional_text(r.comments))
        .bind(16, fetch)
        .run();
    if (db.changes() == 0) {
        return std::nullopt;
    }
    return db.last_insert_id();
}

std::optional<StoredSndsSignals> previous_snds_data(Database& db, const std::string& ip,
                                                    const std::string& start)
{
    Statement st(db, "SELECT start_time, coalesce(filter, ''), trap_hits, complaint_percent "
                     "FROM snds_data WHERE ip = ? AND start_time < ? "
                     "ORDER BY start_time DESC LIMIT 1");
    st.bind(1, ip).bind(2, start);
    if (!st.step()) {
        return std::nullopt;
    }
    StoredSndsSignals s;
    s.start = st.column_text(0);
    s.filter = st.column_text(1);
    s.trap_hits = st.column_int(2);
    if (!st.is_null(3)) {
        s.complaint_percent = st.column_double(3);
    }
    return s;
}

bool snds_knows_ip(Database& db, const std::string& ip)
{
    Statement st(db, "SELECT 1 FROM snds_data WHERE ip = ? LIMIT 1");
    st.bind(1, ip);
    return st.step();
}

std::int64_t add_snds_ip_state(Database& db, std::int64_t fetch, const std::string& ip,
                               const std::string& verdict, const std::string& reason,
                               const std::string& first_ip, const std::string& last_ip)
{
    db.prepare("INSERT INTO snds_ip_state (fetch, ip, verdict, reason, first_ip, last_ip) "
               "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, fetch)
        .bind(2, ip)
        .bind(3, verdict)
        .bind(4, optional_text(reason))
        .bind(5, optional_text(first_ip))
        .bind(6, optional_text(last_ip))
        .run();
    return db.last_insert_id();
}

} // namespace smtpprobe::store
