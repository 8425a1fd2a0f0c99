// The episode fold's SQL (see episode_fold_rows.hpp).
#include "monitor/store/episode_fold_rows.hpp"

namespace smtpprobe::store {

std::optional<std::int64_t> read_monitor_cursor(Database& db, const std::string& name)
{
    Statement st(db, "SELECT value FROM monitor_cursor WHERE name = ?");
    st.bind(1, name);
    if (st.step()) {
        return st.column_int(0);
    }
    return std::nullopt;
}

void write_monitor_cursor(Database& db, const std::string& name, std::int64_t value)
{
    db.prepare("INSERT INTO monitor_cursor(name, value) VALUES (?, ?) "
               "ON CONFLICT(name) DO UPDATE SET value = excluded.value")
        .bind(1, name)
        .bind(2, value)
        .run();
}

std::optional<FoldEpisodeRow> read_fold_episode(Database& db, std::int64_t id)
{
    Statement st(db, "SELECT ip, scope, opened, closed, first_evidence, last_evidence, reason, "
                     "codes, evidence_count FROM episode WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) {
        return std::nullopt;
    }
    FoldEpisodeRow e;
    e.id = id;
    e.ip = st.column_text(0);
    e.scope = st.column_text(1);
    e.opened = st.column_text(2);
    e.closed = st.column_optional_text(3);
    e.first_evidence = st.column_optional_int(4).value_or(0);
    e.last_evidence = st.column_optional_int(5).value_or(0);
    e.reason = st.column_text(6);
    e.codes = st.column_text(7);
    e.evidence_count = st.column_int(8);
    return e;
}

std::int64_t write_fold_episode(Database& db, const FoldEpisodeRow& e)
{
    if (e.id == 0) {
        db.prepare("INSERT INTO episode(ip, scope, opened, closed, first_evidence, last_evidence, "
                   "reason, codes, evidence_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, e.ip)
            .bind(2, e.scope)
            .bind(3, e.opened)
            .bind(4, e.closed)
            .bind(5, e.first_evidence)
            .bind(6, e.last_evidence)
            .bind(7, e.reason)
            .bind(8, e.codes)
            .bind(9, e.evidence_count)
            .run();
        return db.last_insert_id();
    }
    db.prepare("UPDATE episode SET opened = ?, closed = ?, first_evidence = ?, last_evidence = ?, "
               "reason = ?, codes = ?, evidence_count = ? WHERE id = ?")
        .bind(1, e.opened)
        .bind(2, e.closed)
        .bind(3, e.first_evidence)
        .bind(4, e.last_evidence)
        .bind(5, e.reason)
        .bind(6, e.codes)
        .bind(7, e.evidence_count)
        .bind(8, e.id)
        .run();
    return e.id;
}

std::optional<EpisodeStateRow> read_episode_state(Database& db, const std::string& ip,
                                                  const std::string& scope)
{
    Statement st(db, "SELECT state, since, last_time, last_id, last_verdict, provider_code, "
                     "reason, machine, episode_id FROM episode_state WHERE ip = ? AND scope = ?");
    st.bind(1, ip).bind(2, scope);
    if (!st.step()) {
        return std::nullopt;
    }
    EpisodeStateRow row;
    row.ip = ip;
    row.scope = scope;
    row.state = st.column_text(0);
    row.since = st.column_optional_text(1);
    row.last_time = st.column_text(2);
    row.last_id = st.column_int(3);
    row.last_verdict = st.column_text(4);
    row.provider_code = st.column_text(5);
    row.reason = st.column_text(6);
    row.machine = st.column_text(7);
    row.episode_id = st.column_optional_int(8);
    return row;
}

void write_episode_state(Database& db, const EpisodeStateRow& row)
{
    db.prepare("INSERT INTO episode_state(ip, scope, state, since, last_time, last_id, "
               "last_verdict, provider_code, reason, machine, episode_id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ip, scope) DO UPDATE SET "
               "state = excluded.state, since = excluded.since, last_time = excluded.last_time, "
               "last_id = excluded.last_id, last_verdict = excluded.last_verdict, "
               "provider_code = excluded.provider_code, reason = excluded.reason, "
               "machine = excluded.machine, episode_id = excluded.episode_id")
        .bind(1, row.ip)
        .bind(2, row.scope)
        .bind(3, row.state)
        .bind(4, row.since)
        .bind(5, row.last_time)
        .bind(6, row.last_id)
        .bind(7, row.last_verdict)
        .bind(8, row.provider_code)
        .bind(9, row.reason)
        .bind(10, row.machine)
        .bind(11, row.episode_id)
        .run();
}

void delete_episode_key(Database& db, const std::string& ip, const std::string& scope)
{
    db.prepare("DELETE FROM episode_state WHERE ip = ? AND scope = ?")
        .bind(1, ip)
        .bind(2, scope)
        .run();
    db.prepare("DELETE FROM episode WHERE ip = ? AND scope = ?").bind(1, ip).bind(2, scope).run();
}

void delete_all_episodes(Database& db)
{
    db.exec("DELETE FROM episode_state");
    db.exec("DELETE FROM episode");
}

} // namespace smtpprobe::store
