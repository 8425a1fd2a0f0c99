// What `smtpprobe status` shows: the state per (sending IP, scope), the episodes, findings
// (backscatter, from the log ingester's finding table) and notes, read from the store after
// folding any new evidence into episodes. Rendered as a table or as the JSON document of
// issue 6 (scopes, episodes, findings; plus notes).
//
// Contract: load_status() updates episodes incrementally (one transaction) and then only
// reads. Peer text in the report is raw; the renderers escape it.
#pragma once

#include "monitor/config/config.hpp"
#include "monitor/store/database.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace smtpprobe::monitor {

struct ScopeStatus {
    std::string ip;
    std::string scope;
    std::string state; // blocked | clear | unknown
    std::optional<std::string> since;
    std::optional<std::string> last_evidence; // time of the last evidence
    std::string provider_code;
    std::string reason;
    std::string action;
};

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

struct NoteView {
    std::int64_t id = 0;
    std::string time;
    std::string ip;
    std::string scope;
    std::string text;
};

struct StatusReport {
    std::vector<ScopeStatus> scopes;
    std::vector<EpisodeView> episodes;
    nlohmann::json findings = nlohmann::json::array(); // rows of the finding table, as objects
    std::vector<NoteView> notes;

    // Something is blocked or listed now (exit code 1).
    bool any_blocked() const;
};

StatusReport load_status(store::Database& db, const config::Config& config);

// The JSON document: {"scopes": [...], "episodes": [...], "findings": [...], "notes": [...]}.
nlohmann::json status_json(const StatusReport& report);

// The human table, episodes, findings and notes; peer text escaped.
void print_status(std::ostream& out, const StatusReport& report);

// Adds a timeline note; returns its id.
std::int64_t add_note(store::Database& db, const std::string& ip, const std::string& scope,
                      const std::string& text);

} // namespace smtpprobe::monitor
