// What log ingestion writes to the history, through the store's typed rows
// (monitor/store/delivery_rows.hpp, ingest_state_rows.hpp): delivery rows (+ their evidence,
// successes counted per monitor/evidence/evidence_writer.hpp), backscatter findings, the
// sender/size join of queued messages, and the per-file cursor. Writes happen in batches: begin()
// opens a transaction, commit() ends it; rows and the cursor always commit together, so a kill at
// any moment loses only an uncommitted batch, which the next run reads again.
//
// Deliveries take one of two paths, both giving the same rows:
//   - checked: INSERT OR IGNORE of one row, then its evidence with the new row's id; a
//     source key already stored adds nothing (a file read again under another name, stdin).
//   - fresh: when the key is above every stored key of its file (content identity prefix),
//     which is checked once per transaction with one index seek while the transaction holds
//     the write lock, the row cannot exist yet: ids are assigned here and rows go out in
//     multi-row INSERTs (store::DeliveryRows::add_batched); a delivery row the database ignores all
//     the same (a broken assumption) throws and rolls the batch back instead of duplicating. Keys
//     of one file grow with the offset, so after a crash the rows past the committed cursor are
//     fresh again.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/ingest/log_record.hpp"
#include "monitor/store/database.hpp"
#include "monitor/store/delivery_rows.hpp"
#include "monitor/store/ingest_state_rows.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smtpprobe::ingest {

struct FileCursor {
    std::string path;
    std::string identity;   // device:inode
    std::string content_id; // checksum of the first line
    std::uint64_t offset = 0;
    std::string checksum; // of the line that ends at offset
};

struct QueuedMessage {
    std::string sender;
    std::int64_t size = -1;
    int recipients_left = -1; // sendmail: recipients without a final delivery; -1 unknown
};

class IngestStore {
public:
    // node: the node reading the logs (its rows, cursors and joins are its own, schema 018).
    // fresh_path false: every delivery takes the checked path (tests compare both).
    // unnamed_ip: the sending IP of evidence whose line names none (evidence_writer.hpp).
    IngestStore(store::Database& db, std::string node, bool fresh_path = true,
                std::string unnamed_ip = {});
    ~IngestStore();

    void begin();
    // Writes pending rows and queued-message changes, then commits.
    void commit();
    bool in_transaction() const { return m_transaction.has_value(); }

    // Inserts the delivery unless its source_key is known; with a new row, also its evidence
    // (what the policy decided; written at commit through the one evidence writer, a success
    // maybe counted on an earlier row of this batch). Returns whether the row is new.
    // source_key is
    // "<content identity>:<zero-padded offset>" (log_ingester.cpp): the fresh path relies on
    // keys of one identity sorting in the order their rows are added.
    bool add_delivery(const LogRecord& record, std::string_view source_key,
                      const QueuedMessage* message, const classify::Result& result,
                      const evidence::Decision& decision);
    bool add_finding(const LogRecord& record, std::string_view kind, std::string_view source_key);

    // The sender join, keyed by (host, queue id).
    void put_message(const LogRecord& record);
    void remove_message(const LogRecord& record);
    const QueuedMessage* find_message(const LogRecord& record);
    // After a delivery of a message found by find_message(): a final one (dsn 2.x.x or
    // 5.x.x) counts its recipients off a known recipient count (sendmail nrcpts=, the
    // recipients after aliasing); when none is left the message left the queue, as after
    // remove_message(). The count is stored with the join, so a re-run after a kill counts on
    // from where the last commit left it.
    void count_delivery(const LogRecord& record);
    // Forgets joins older than keep_seconds before newest (sendmail never logs "removed").
    void prune_messages(std::int64_t newest, std::int64_t keep_seconds);

    std::optional<FileCursor> cursor(const std::string& path);
    void save_cursor(const FileCursor& cursor);

private:
    struct Cached {
        QueuedMessage message;
        std::int64_t time = 0; // of the from= line
        bool dirty = false;
        bool persisted = false; // written by a flush or read from the database
    };
    void flush_messages();
    void make_room(); // keeps the cache bounded (flushes, then forgets)
    // Whether source_key can take the fresh path; establishes it when needed.
    bool fresh(std::string_view source_key);
    void write_rows();
    void add_fresh_delivery(const LogRecord& record, std::string_view time,
                            std::string_view source_key, const QueuedMessage* message,
                            const classify::Result& result, const evidence::Decision& decision);
    const std::string& message_key(const LogRecord& record);

    store::Database& m_db;
    std::string m_node;
    std::optional<store::Transaction> m_transaction;
    store::DeliveryRows m_deliveries;
    store::QueuedMessageRows m_message_rows;
    evidence::EvidenceWriter m_evidence;
    // The fresh path, valid in the current transaction only: keys with m_fresh_prefix above
    // m_fresh_floor are not stored; m_next_id is the next free delivery id (0: unknown).
    bool m_fresh_path;
    bool m_fresh_known = false;
    std::string m_fresh_prefix;
    std::string m_fresh_floor;
    std::int64_t m_next_id = 0;
    std::unordered_map<std::string, Cached> m_messages;
    std::vector<std::string> m_dirty;
    std::string m_key;         // reused lookup key
    bool m_db_may_have = true; // older joins may be in the table, not in the cache
};

} // namespace smtpprobe::ingest
