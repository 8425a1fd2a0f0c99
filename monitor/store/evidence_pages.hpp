// The SQL of the web's evidence views (web/api): the evidence stream paged by id, the evidence
// of a time window for the timeline, the source row behind one piece of evidence, and the
// summary facts of /api/status. Reads only; safe on a read-only connection. Nullable columns
// are std::optional, so a view can tell NULL from "".
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::store {

// One evidence row as the views show it.
struct EvidenceListRow {
    std::int64_t id = 0;
    std::string time;
    std::string ip;
    std::string scope;
    std::string verdict;
    std::optional<std::string> reason;
    std::optional<std::string> provider_code;
    std::string source_kind;
    std::int64_t source_id = 0;
    std::int64_t observations = 0;
    std::optional<std::string> last_time;
    std::optional<std::string> node; // the node that observed it (schema 018; null: unknown)
};

// A page of the evidence stream in (time, id) order. Filters: nullopt = any. The cursors are
// row ids: with after, the rows after that row's (time, id) in ascending order; else the rows
// before before's (time, id) (all rows when nullopt) in descending order.
struct EvidencePageFilter {
    std::optional<std::string> ip;
    std::optional<std::string> scope;
    std::optional<std::string> verdict;
    std::optional<std::string> source_kind;
    std::optional<std::int64_t> after;
    std::optional<std::int64_t> before;
    std::int64_t limit = 50;
    std::optional<std::string> node; // only what this node observed (schema 018)
};
std::vector<EvidenceListRow> read_evidence_page(Database& db, const EvidencePageFilter& filter);

// Evidence with from <= time <= to (ISO 8601 UTC), of one ip and/or scope when given, in
// (time, id) order, at most limit rows. Each filter combination uses its own index; node, when
// given, keeps the rows that node observed (schema 018) among them.
std::vector<EvidenceListRow> read_evidence_window(Database& db,
                                                  const std::optional<std::string>& ip,
                                                  const std::optional<std::string>& scope,
                                                  const std::string& from, const std::string& to,
                                                  std::int64_t limit,
                                                  const std::optional<std::string>& node = {});

// The row behind one piece of evidence, by source kind (probe, log, bounce, dnsbl, note):
// its text, status, reply code, host and time as that source stored them.
struct EvidenceSourceRow {
    std::optional<std::string> text;
    std::optional<std::string> status;
    std::optional<std::int64_t> reply_code;
    std::optional<std::string> host;
    std::optional<std::string> time;
};
// nullopt for an unknown kind or a row that is gone.
std::optional<EvidenceSourceRow> read_evidence_source(Database& db, std::string_view kind,
                                                      std::int64_t id);

// The cheap facts of /api/status.
struct StoreSummary {
    std::int64_t open_episodes = 0;
    std::optional<std::string> oldest_open_episode;
    std::optional<std::string> last_evidence_time; // the latest observation
    std::optional<std::int64_t> last_evidence_id;
    struct Probe {
        std::int64_t id = 0;
        std::optional<std::string> started_at;
        std::optional<std::string> target;
        std::optional<std::string> outcome;
    };
    std::optional<Probe> last_probe;
};
StoreSummary read_store_summary(Database& db);

} // namespace smtpprobe::store
