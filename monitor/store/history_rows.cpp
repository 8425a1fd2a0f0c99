// The history views' SQL (see history_rows.hpp).
#include "monitor/store/history_rows.hpp"

namespace smtpprobe::store {

std::vector<EpisodeRow> read_episodes(Database& db)
{
    Statement st(db, "SELECT id, ip, scope, opened, closed, coalesce(reason, ''), "
                     "coalesce(codes, '[]'), evidence_count FROM episode "
                     "ORDER BY opened, ip, scope");
    std::vector<EpisodeRow> rows;
    while (st.step()) {
        rows.push_back(EpisodeRow{st.column_int(0), st.column_text(1), st.column_text(2),
                                  st.column_text(3), st.column_optional_text(4), st.column_text(5),
                                  st.column_text(6), st.column_int(7)});
    }
    return rows;
}

std::vector<FindingRow> read_findings(Database& db)
{
    Statement st(db, "SELECT id, time, kind, coalesce(host, ''), coalesce(queue_id, ''), "
                     "coalesce(detail, ''), source_kind, source_key, coalesce(ip, ''), "
                     "coalesce(scope, ''), coalesce(action, '') FROM finding ORDER BY id");
    std::vector<FindingRow> rows;
    while (st.step()) {
        rows.push_back(FindingRow{st.column_int(0), st.column_text(1), st.column_text(2),
                                  st.column_text(3), st.column_text(4), st.column_text(5),
                                  st.column_text(6), st.column_text(7), st.column_text(8),
                                  st.column_text(9), st.column_text(10)});
    }
    return rows;
}

std::vector<NoteRow> read_notes(Database& db)
{
    Statement st(db, "SELECT id, time, coalesce(ip, ''), coalesce(scope, ''), text FROM note "
                     "ORDER BY time, id");
    std::vector<NoteRow> rows;
    while (st.step()) {
        rows.push_back(NoteRow{st.column_int(0), st.column_text(1), st.column_text(2),
                               st.column_text(3), st.column_text(4)});
    }
    return rows;
}

std::int64_t insert_note(Database& db, const std::string& time, const std::string& ip,
                         const std::string& scope, const std::string& text)
{
    db.prepare("INSERT INTO note(time, ip, scope, text) VALUES (?, ?, ?, ?)")
        .bind(1, time)
        .bind(2, ip)
        .bind(3, scope)
        .bind(4, text)
        .run();
    return db.last_insert_id();
}

} // namespace smtpprobe::store
