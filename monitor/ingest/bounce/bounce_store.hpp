// Writes ingested bounces to the history: one `bounce` row per recipient, its evidence (what
// the policy decided), and the `bounce_message` seen-marker, all of one message in
// the same transaction (batched: begin() / commit() around many messages). Re-ingesting a
// message changes nothing: it is skipped by its marker, and every row has a unique key.
//
// Contract: all values bound; a crash at any point leaves either every row of a message or
// none, so a re-run produces the same rows as a clean run.
#pragma once

#include "monitor/evidence/evidence_writer.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_evidence.hpp"
#include "monitor/ingest/bounce/bounce_report.hpp"
#include "monitor/store/bounce_rows.hpp"
#include "monitor/store/database.hpp"

#include <memory>
#include <string>
#include <vector>

namespace smtpprobe::ingest {

class BounceStore {
public:
    // node: the node reading the messages (stored with their rows, schema 018).
    // unnamed_ip: the sending IP of evidence whose bounce names none (evidence_writer.hpp).
    BounceStore(store::Database& db, const std::string& node, const std::string& unnamed_ip = {});
    ~BounceStore();
    BounceStore(const BounceStore&) = delete;
    BounceStore& operator=(const BounceStore&) = delete;

    // Whether a message with this key was ingested (or recorded as malformed) before.
    bool seen(const std::string& message_key);

    // Opens a write transaction if none is open.
    void begin();
    // Commits the open transaction, if any.
    void commit();

    // Records one parsed message: its recipients (classified[i] and evidence[i] belong to
    // report.recipients[i]; a recipient without a time is stored at `now` and gives no
    // evidence), their evidence (through the one evidence writer), and its marker. Needs
    // begin().
    void add(const std::string& message_key, const std::string& path, const BounceReport& report,
             const std::vector<ClassifiedRecipient>& classified,
             const std::vector<RecipientEvidence>& evidence, const std::string& now);

    // Records a malformed message's marker so later runs skip it. Needs begin().
    void add_malformed(const std::string& message_key, const std::string& path,
                       const std::string& now);

private:
    store::Database& m_db;
    std::unique_ptr<store::Transaction> m_tx;
    store::BounceRows m_rows;
    evidence::EvidenceWriter m_evidence;
};

} // namespace smtpprobe::ingest
