// Persistence of episode builder state (see episode_rows.hpp). The unconfirmed run and the
// pending episode live in episode_state.machine as JSON; the open episode is an episode row.
#include "monitor/episodes/episode_rows.hpp"

#include "probe/text/json_output.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::episodes {

namespace {

using nlohmann::json;
using store::Statement;

json episode_to_json(const Episode& e)
{
    return json{{"opened", e.opened},
                {"first_evidence", e.first_evidence},
                {"last_evidence", e.last_evidence},
                {"reason", e.reason},
                {"codes", e.codes},
                {"evidence_count", e.evidence_count}};
}

Episode episode_from_json(const json& j, const KeyState& state)
{
    Episode e;
    e.ip = state.ip;
    e.scope = state.scope;
    e.opened = j.value("opened", "");
    e.first_evidence = j.value("first_evidence", std::int64_t{0});
    e.last_evidence = j.value("last_evidence", std::int64_t{0});
    e.reason = j.value("reason", "");
    e.codes = j.value("codes", std::vector<std::string>{});
    e.evidence_count = j.value("evidence_count", std::int64_t{0});
    return e;
}

std::optional<Episode> load_episode(store::Database& db, std::int64_t id)
{
    Statement st(db, "SELECT ip, scope, opened, closed, first_evidence, last_evidence, reason, "
                     "codes, evidence_count FROM episode WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) {
        return std::nullopt;
    }
    Episode e;
    e.id = id;
    e.ip = st.column_text(0);
    e.scope = st.column_text(1);
    e.opened = st.column_text(2);
    e.closed = st.column_optional_text(3);
    e.first_evidence = st.column_optional_int(4).value_or(0);
    e.last_evidence = st.column_optional_int(5).value_or(0);
    e.reason = st.column_text(6);
    e.codes = codes_from_json(st.column_text(7));
    e.evidence_count = st.column_int(8);
    return e;
}

} // namespace

std::string codes_json(const std::vector<std::string>& codes)
{
    return json_text(json(codes));
}

std::vector<std::string> codes_from_json(const std::string& text)
{
    json j = json::parse(text, nullptr, false);
    std::vector<std::string> out;
    if (j.is_array()) {
        for (const json& item : j) {
            if (item.is_string()) {
                out.push_back(item.get<std::string>());
            }
        }
    }
    return out;
}

bool load_state(store::Database& db, const std::string& ip, const std::string& scope,
                KeyState& state)
{
    Statement st(db, "SELECT state, since, last_time, last_id, last_verdict, provider_code, "
                     "reason, machine, episode_id FROM episode_state WHERE ip = ? AND scope = ?");
    st.bind(1, ip).bind(2, scope);
    if (!st.step()) {
        return false;
    }
    state = KeyState{};
    state.ip = ip;
    state.scope = scope;
    state.state = evidence::parse_verdict(st.column_text(0)).value_or(evidence::Verdict::unknown);
    state.since = st.column_optional_text(1);
    state.last_time = st.column_text(2);
    state.last_id = st.column_int(3);
    state.last_verdict =
        evidence::parse_verdict(st.column_text(4)).value_or(evidence::Verdict::unknown);
    state.provider_code = st.column_text(5);
    state.reason = st.column_text(6);
    json machine = json::parse(st.column_text(7), nullptr, false);
    std::optional<std::int64_t> open_id = st.column_optional_int(8);
    if (machine.is_object()) {
        state.run_verdict = evidence::parse_verdict(machine.value("run_verdict", ""))
                                .value_or(evidence::Verdict::unknown);
        state.run_count = machine.value("run_count", 0);
        state.run_first_time = machine.value("run_first_time", "");
        state.run_first_id = machine.value("run_first_id", std::int64_t{0});
        if (machine.contains("pending") && machine["pending"].is_object()) {
            state.pending = episode_from_json(machine["pending"], state);
        }
    }
    if (open_id) {
        state.open = load_episode(db, *open_id);
    }
    return true;
}

void save_state(store::Database& db, const KeyState& state)
{
    json machine{{"run_verdict", state.run_verdict == evidence::Verdict::unknown
                                     ? std::string()
                                     : std::string(evidence::name(state.run_verdict))},
                 {"run_count", state.run_count},
                 {"run_first_time", state.run_first_time},
                 {"run_first_id", state.run_first_id}};
    if (state.pending) {
        machine["pending"] = episode_to_json(*state.pending);
    }
    std::optional<std::int64_t> open_id;
    if (state.open) {
        open_id = state.open->id;
    }
    db.prepare("INSERT OR REPLACE INTO episode_state(ip, scope, state, since, last_time, last_id, "
               "last_verdict, provider_code, reason, machine, episode_id) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, state.ip)
        .bind(2, state.scope)
        .bind(3, evidence::name(state.state))
        .bind(4, state.since)
        .bind(5, state.last_time)
        .bind(6, state.last_id)
        .bind(7, evidence::name(state.last_verdict))
        .bind(8, state.provider_code)
        .bind(9, state.reason)
        .bind(10, json_text(machine))
        .bind(11, open_id)
        .run();
}

void save_episode(store::Database& db, Episode& e)
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
            .bind(8, codes_json(e.codes))
            .bind(9, e.evidence_count)
            .run();
        e.id = db.last_insert_id();
        return;
    }
    db.prepare("UPDATE episode SET opened = ?, closed = ?, first_evidence = ?, last_evidence = ?, "
               "reason = ?, codes = ?, evidence_count = ? WHERE id = ?")
        .bind(1, e.opened)
        .bind(2, e.closed)
        .bind(3, e.first_evidence)
        .bind(4, e.last_evidence)
        .bind(5, e.reason)
        .bind(6, codes_json(e.codes))
        .bind(7, e.evidence_count)
        .bind(8, e.id)
        .run();
}

void delete_key(store::Database& db, const std::string& ip, const std::string& scope)
{
    db.prepare("DELETE FROM episode_state WHERE ip = ? AND scope = ?")
        .bind(1, ip)
        .bind(2, scope)
        .run();
    db.prepare("DELETE FROM episode WHERE ip = ? AND scope = ?").bind(1, ip).bind(2, scope).run();
}

} // namespace smtpprobe::episodes
