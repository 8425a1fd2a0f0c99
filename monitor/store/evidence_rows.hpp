// The evidence table's SQL: the multi-row INSERT the evidence writer uses (the only statement
// that adds evidence, see monitor/evidence/evidence_writer.hpp) and the reads of the fold.
#pragma once

#include "monitor/store/database.hpp"
#include "monitor/store/row_batch.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpprobe::store {

// One evidence row as written. Empty texts are stored as NULL (reason, provider_code,
// last_time, receiver, named_ip, outcome); ip "" is stored as "" (unattributed).
struct EvidenceRowView {
    std::string_view time;
    std::string_view ip;
    std::string_view scope;
    std::string_view verdict;
    std::string_view reason;
    std::string_view provider_code;
    std::string_view source_kind;
    std::int64_t source_id = 0;
    std::int64_t observations = 1;
    std::string_view last_time;
    std::string_view receiver;
    std::string_view named_ip;
    std::string_view outcome;
};

// Rows collected and written with multi-row INSERT OR IGNORE (row_batch.hpp); the unique key
// (source_kind, source_id, scope) makes writing one source row's evidence twice a no-op. Every
// row names node, the node that observed it (schema 018; "" is stored as NULL: unknown).
class EvidenceRows {
public:
    EvidenceRows(Database& db, std::string node);
    void add(const EvidenceRowView& row);
    void write() { m_rows.write(); }
    void discard() { m_rows.discard(); }

private:
    std::string m_node;
    RowBatch m_rows;
};

// One stored evidence row as the fold reads it.
struct StoredEvidence {
    std::int64_t id = 0;
    std::string time;
    std::string ip;
    std::string scope;
    std::string verdict;
    std::string reason;
    std::string provider_code;
    std::int64_t observations = 1;
    std::string last_time; // "" when NULL
};

// The (ip, scope) keys with a row of id > after_id (ip "" read as default_ip), in (ip, scope)
// order, with how many such rows each has and the highest such id of all.
struct FreshKey {
    std::string ip;
    std::string scope;
    std::int64_t rows = 0;
};
struct FreshKeys {
    std::vector<FreshKey> keys;
    std::int64_t max_id = 0; // 0 when there is no such row
};
FreshKeys read_fresh_keys(Database& db, std::int64_t after_id, const std::string& default_ip);

// The rows of (ip, scope) with id > after_id, rows with ip "" included when ip == default_ip,
// in (time, id) order, at most limit of them (-1: all). after_id 0 gives every row of the key.
// One row at a time: the caller never holds more than it keeps.
void read_evidence_of_key(Database& db, const std::string& ip, const std::string& scope,
                          const std::string& default_ip, std::int64_t after_id,
                          const std::function<void(StoredEvidence&&)>& visit,
                          std::int64_t limit = -1);
// The highest evidence id (0 when none).
std::int64_t max_evidence_id(Database& db);

} // namespace smtpprobe::store
