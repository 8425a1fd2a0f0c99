// `ingest bounce` as a library: reads every message of the given paths (message_source),
// skips those already ingested, parses (bounce_parser), classifies (bounce_classification)
// and stores them (bounce_store) in batched transactions, reporting each recipient and the
// progress to the caller. The CLI only formats what this reports.
//
// Contract: peer data never throws (a message that cannot be read as a report is counted as
// malformed and skipped); an unreadable path throws SourceError; a store failure throws
// StoreError after rolling back the open batch (its messages are re-read next run).
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/ingest/bounce/bounce_classification.hpp"
#include "monitor/ingest/bounce/bounce_evidence.hpp"
#include "monitor/ingest/bounce/bounce_report.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace smtpprobe::ingest {

class BounceStore;
struct SourceMessage;

// One classified recipient, as handed to the caller.
struct IngestedRecipient {
    const std::string& path;
    const BounceReport& report;
    const RecipientReport& recipient;
    const ClassifiedRecipient& classified;
    const RecipientEvidence& evidence; // its time and what the evidence policy made of it
};

struct BounceIngestStats {
    std::uint64_t messages = 0;                 // read from the sources
    std::uint64_t seen = 0;                     // skipped: ingested by an earlier run
    std::uint64_t malformed = 0;                // not a report (or oversized): counted and skipped
    std::uint64_t reports = 0;                  // parsed reports
    std::uint64_t recipients = 0;               // recipients classified
    std::uint64_t stored = 0;                   // messages newly written to the store
    std::uint64_t undated = 0;                  // recipients nothing dates: no evidence
    std::map<std::string, std::uint64_t> kinds; // kind -> recipients
    std::map<std::pair<std::string, std::string>, std::uint64_t> by_scope; // (scope, reason)
    std::vector<std::string> malformed_samples; // "path#index: why" (at most 10)
};

struct BounceIngestOptions {
    bool skip_seen = true;            // skip messages the store already has
    std::size_t batch_messages = 500; // messages per transaction
    evidence::OurIps ours;            // the configured identities (evidence attribution)
    std::string node; // the node reading the messages (monitor/run/node_name.hpp; schema 018)
    // The sending IP of a bounce that names none: the node's single identity
    // (Config::default_ip(); evidence_writer.hpp), "" to leave it unattributed.
    std::string unnamed_ip;
};

class BounceIngester {
public:
    // db may be null: parse and classify only (nothing stored, nothing skipped).
    BounceIngester(store::Database* db, const classify::Classifier& classifier,
                   BounceIngestOptions options = {});
    ~BounceIngester();

    using RecipientSink = std::function<void(const IngestedRecipient&)>;
    // Called after each message with the running totals.
    using ProgressSink = std::function<void(const BounceIngestStats&)>;

    // Ingests every message of path ("-" = stdin). Commits before returning.
    void ingest(const std::string& path, const RecipientSink& on_recipient = {},
                const ProgressSink& on_progress = {});

    const BounceIngestStats& stats() const { return m_stats; }

private:
    void handle(const SourceMessage& message, std::string& content,
                const RecipientSink& on_recipient);
    void malformed(const std::string& key, const std::string& path, std::uint64_t index,
                   const std::string& why);

    store::Database* m_db;
    const classify::Classifier& m_classifier;
    BounceIngestOptions m_options;
    std::unique_ptr<BounceStore> m_store;
    BounceIngestStats m_stats;
    std::size_t m_pending = 0;
    std::string m_now;
};

} // namespace smtpprobe::ingest
