// The SQL of the history views that sit beside the state (monitor/status/status_report.hpp,
// the alerts, the web): episodes, findings, notes and the latest hygiene check per IP, and
// the insert of a note. Reads are safe on a read-only connection.
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/hygiene_rows.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

struct EpisodeRow {
    std::int64_t id = 0;
    std::string ip;
    std::string scope;
    std::string opened;
    std::optional<std::string> closed;
    std::string reason;
    std::string codes; // JSON array of provider codes, first seen first
    std::int64_t evidence_count = 0;
};
// Every episode, ordered by opened, ip, scope.
std::vector<EpisodeRow> read_episodes(Database& db);

// A finding of our own traffic (backscatter ...), one row of the finding table.
struct FindingRow {
    std::int64_t id = 0;
    std::string time;
    std::string kind;
    std::string host;
    std::string queue_id;
    std::string detail;
    std::string source_kind;
    std::string source_key;
    std::string ip;     // who it is about (report findings), "" when not said
    std::string scope;  // the receiver scope it is about, "" when not said
    std::string action; // what to do (report findings), "" when not said
};
std::vector<FindingRow> read_findings(Database& db);

struct NoteRow {
    std::int64_t id = 0;
    std::string time;
    std::string ip;
    std::string scope;
    std::string text;
};
std::vector<NoteRow> read_notes(Database& db);
// Adds a note; returns its id.
std::int64_t insert_note(Database& db, const std::string& time, const std::string& ip,
                         const std::string& scope, const std::string& text);

} // namespace smtpprobe::store
