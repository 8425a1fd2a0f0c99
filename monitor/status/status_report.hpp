// What `smtpprobe status` shows: the state per (sending IP, scope) from the one state query
// (monitor/evidence/state_query.hpp), the episodes, findings (backscatter), notes and the
// latest sender hygiene per IP. Rendered as a table or as the JSON document of issue 6.
//
// Contract: load_status() only reads (it runs on a read-only database); the evidence is folded
// into episodes by the writers. Peer text in the report is raw; the renderers escape it.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/evidence/state_query.hpp"
#include "monitor/status/silent_nodes.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/history_rows.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace smtpprobe::monitor {

struct EpisodeView {
    std::int64_t id = 0;
    std::string ip;
    std::string scope;
    std::string opened;
    std::optional<std::string> closed;
    std::string reason;
    std::string provider_code; // the first provider code seen ("" if none)
    std::vector<std::string> codes;
    std::int64_t evidence_count = 0;
};

struct StatusReport {
    std::vector<evidence::ScopeState> scopes;
    std::int64_t unfolded_evidence = 0; // evidence the last fold has not read yet
    std::vector<EpisodeView> episodes;
    std::vector<store::FindingRow> findings;
    std::vector<store::NoteRow> notes;
    std::vector<store::HygieneRow> hygiene; // the latest check per IP
    std::vector<SilentNode> silent_nodes;   // nodes whose `run` stopped (silent_nodes.hpp)

    // Something is blocked or listed now (exit code 1).
    bool any_blocked() const;
};

// Everything, or the (ip, scope) states and episodes the filter keeps (findings and notes are
// not filtered: a finding or a note may be about no receiver at all), and the silent nodes
// (of filter.node only, when it names one) at monitor::now().
StatusReport load_status(store::Database& db, const config::Config& config,
                         const evidence::StateFilter& filter = {});

// The JSON document: {"scopes": [...], "episodes": [...], "findings": [...], "notes": [...],
// "hygiene": [...], "silent_nodes": [...], "unfolded_evidence": N}.
nlohmann::json status_json(const StatusReport& report);
// One finding as its JSON object (also the alert payload's "finding").
nlohmann::json finding_json(const store::FindingRow& finding);

// The human table, episodes, findings and notes; peer text escaped.
void print_status(std::ostream& out, const StatusReport& report);

// Adds a timeline note now; returns its id.
std::int64_t add_note(store::Database& db, const std::string& ip, const std::string& scope,
                      const std::string& text);

} // namespace smtpprobe::monitor
