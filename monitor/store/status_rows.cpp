// The status screen's SQL (see status_rows.hpp).
#include "monitor/store/status_rows.hpp"

#include <algorithm>

namespace smtpprobe::store {

namespace {

// An ISO time after every stored one: the open end of a window.
const std::string k_end_of_time = "9999-12-31T23:59:59Z";

const std::string& until_of(const TimeRange& window)
{
    return window.until.empty() ? k_end_of_time : window.until;
}

FindingRow finding_of(Statement& st)
{
    return FindingRow{st.column_int(0),  st.column_text(1), st.column_text(2), st.column_text(3),
                      st.column_text(4), st.column_text(5), st.column_text(6), st.column_text(7),
                      st.column_text(8), st.column_text(9), st.column_text(10)};
}

} // namespace

std::vector<FindingKindSummary> summarize_findings(Database& db, const TimeRange& window)
{
    std::vector<FindingKindSummary> kinds;
    {
        Statement st(db, "SELECT kind, count(*) FROM finding WHERE time >= ?1 AND time < ?2 "
                         "GROUP BY kind");
        st.bind(1, window.since);
        st.bind(2, until_of(window));
        while (st.step()) {
            FindingKindSummary s;
            s.kind = st.column_text(0);
            s.count = st.column_int(1);
            kinds.push_back(std::move(s));
        }
    }
    // The newest of each kind through the (kind, time) index.
    Statement newest(db, "SELECT id, time, kind, coalesce(host, ''), coalesce(queue_id, ''), "
                         "coalesce(detail, ''), source_kind, source_key, coalesce(ip, ''), "
                         "coalesce(scope, ''), coalesce(action, '') FROM finding "
                         "WHERE kind = ?1 AND time >= ?2 AND time < ?3 "
                         "ORDER BY time DESC, id DESC LIMIT 1");
    for (FindingKindSummary& s : kinds) {
        newest.reset();
        newest.bind(1, s.kind);
        newest.bind(2, window.since);
        newest.bind(3, until_of(window));
        if (newest.step()) {
            s.newest = finding_of(newest);
        }
    }
    std::sort(kinds.begin(), kinds.end(),
              [](const auto& a, const auto& b) { return a.newest.time > b.newest.time; });
    return kinds;
}

std::vector<NoteRow> read_recent_notes(Database& db, const TimeRange& window, std::size_t limit,
                                       std::int64_t* total)
{
    if (total != nullptr) {
        Statement count(db, "SELECT count(*) FROM note WHERE time >= ?1 AND time < ?2");
        count.bind(1, window.since);
        count.bind(2, until_of(window));
        count.step();
        *total = count.column_int(0);
    }
    Statement st(db, "SELECT id, time, coalesce(ip, ''), coalesce(scope, ''), text FROM note "
                     "WHERE time >= ?1 AND time < ?2 ORDER BY time DESC, id DESC LIMIT ?3");
    st.bind(1, window.since);
    st.bind(2, until_of(window));
    st.bind_limit(3, static_cast<std::int64_t>(limit));
    std::vector<NoteRow> rows;
    while (st.step()) {
        rows.push_back(NoteRow{st.column_int(0), st.column_text(1), st.column_text(2),
                               st.column_text(3), st.column_text(4)});
    }
    return rows;
}

std::int64_t count_closed_episodes(Database& db, const TimeRange& window)
{
    Statement st(db, "SELECT count(*) FROM episode WHERE closed IS NOT NULL AND closed >= ?1 "
                     "AND closed < ?2");
    st.bind(1, window.since);
    st.bind(2, until_of(window));
    st.step();
    return st.column_int(0);
}

} // namespace smtpprobe::store
