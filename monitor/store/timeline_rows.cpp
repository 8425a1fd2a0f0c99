// The timeline's episode and note SQL (see timeline_rows.hpp).
#include "monitor/store/timeline_rows.hpp"

namespace smtpprobe::store {

void bind_window(Statement& st, const TimeWindow& window, std::int64_t limit)
{
    st.bind(":ip", window.ip);
    st.bind(":scope", window.scope);
    st.bind(":from", window.from);
    st.bind(":to", window.to);
    st.bind(":limit", limit);
}

std::vector<WindowEpisodeRow> read_episodes_in_window(Database& db, const TimeWindow& window,
                                                      std::int64_t limit)
{
    Statement st(db, "SELECT id, ip, scope, opened, closed, first_evidence, last_evidence, "
                     "reason, codes, evidence_count FROM episode "
                     "WHERE (:ip IS NULL OR ip = :ip) AND (:scope IS NULL OR scope = :scope) "
                     "AND opened <= :to AND (closed IS NULL OR closed >= :from) "
                     "ORDER BY opened, id LIMIT :limit");
    bind_window(st, window, limit);
    std::vector<WindowEpisodeRow> rows;
    while (st.step()) {
        rows.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3),
                        st.column_optional_text(4), st.column_optional_int(5),
                        st.column_optional_int(6), st.column_optional_text(7),
                        st.column_optional_text(8), st.column_int(9)});
    }
    return rows;
}

std::vector<WindowNoteRow> read_notes_in_window(Database& db, const TimeWindow& window,
                                                std::int64_t limit)
{
    Statement st(db, "SELECT id, time, ip, scope, text FROM note "
                     "WHERE (:ip IS NULL OR ip IS NULL OR ip = :ip) "
                     "AND (:scope IS NULL OR scope IS NULL OR scope = :scope) "
                     "AND time >= :from AND time <= :to ORDER BY time, id LIMIT :limit");
    bind_window(st, window, limit);
    std::vector<WindowNoteRow> rows;
    while (st.step()) {
        rows.push_back({st.column_int(0), st.column_text(1), st.column_optional_text(2),
                        st.column_optional_text(3), st.column_text(4)});
    }
    return rows;
}

} // namespace smtpprobe::store
