// Persistence of episode builder state (see episode_rows.hpp). The unconfirmed run and the
// pending episode live in episode_state.machine as JSON; the open episode is an episode row.
#include "monitor/episodes/episode_rows.hpp"

#include "monitor/store/episode_fold_rows.hpp"
#include "probe/text/json_output.hpp"

#include <nlohmann/json.hpp>

namespace smtpprobe::episodes {

namespace {

using nlohmann::json;

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
    std::optional<store::FoldEpisodeRow> row = store::read_fold_episode(db, id);
    if (!row) {
        return std::nullopt;
    }
    Episode e;
    e.id = row->id;
    e.ip = std::move(row->ip);
    e.scope = std::move(row->scope);
    e.opened = std::move(row->opened);
    e.closed = std::move(row->closed);
    e.first_evidence = row->first_evidence;
    e.last_evidence = row->last_evidence;
    e.reason = std::move(row->reason);
    e.codes = codes_from_json(row->codes);
    e.evidence_count = row->evidence_count;
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
    std::optional<store::EpisodeStateRow> row = store::read_episode_state(db, ip, scope);
    if (!row) {
        return false;
    }
    state = KeyState{};
    state.ip = ip;
    state.scope = scope;
    state.state = evidence::parse_verdict(row->state).value_or(evidence::Verdict::unknown);
    state.since = row->since;
    state.last_time = row->last_time;
    state.last_id = row->last_id;
    state.last_verdict =
        evidence::parse_verdict(row->last_verdict).value_or(evidence::Verdict::unknown);
    state.provider_code = row->provider_code;
    state.reason = row->reason;
    json machine = json::parse(row->machine, nullptr, false);
    std::optional<std::int64_t> open_id = row->episode_id;
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
    store::write_episode_state(
        db, {state.ip, state.scope, std::string(evidence::name(state.state)), state.since,
             state.last_time, state.last_id, std::string(evidence::name(state.last_verdict)),
             state.provider_code, state.reason, json_text(machine), open_id});
}

void save_episode(store::Database& db, Episode& e)
{
    e.id = store::write_fold_episode(db, {e.id, e.ip, e.scope, e.opened, e.closed, e.first_evidence,
                                          e.last_evidence, e.reason, codes_json(e.codes),
                                          e.evidence_count});
}

void delete_key(store::Database& db, const std::string& ip, const std::string& scope)
{
    store::delete_episode_key(db, ip, scope);
}

} // namespace smtpprobe::episodes
