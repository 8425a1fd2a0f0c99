// Reads maillog files into the history: line reader -> line parser -> sender join ->
// classifier -> store, with a cursor per file so a cron re-run reads only new lines.
//
// Per path: a cursor (identity, content identity, offset, checksum of the last line). On the
// next run: same file and the line before the offset unchanged -> read on from the offset;
// file shorter than the offset (truncated) or that line changed (rewritten) -> read the
// rotated copy's rest if there is one, then the file from the start; another file at the
// path (rotated) -> read the rest of the old one (found by identity or content, .gz too),
// then the new one from the start. Rows and cursor commit together every batch; every row
// has a unique source key (content identity + zero-padded offset), and a key already stored
// never adds a row (ingest_store.hpp: checked or fresh path): a kill at any moment, then a
// re-run, gives exactly the rows of one clean run.
#pragma once

#include "monitor/classify/classifier.hpp"
#include "monitor/evidence/policy.hpp"
#include "monitor/ingest/delivery_classification.hpp"
#include "monitor/ingest/ingest_store.hpp"
#include "monitor/ingest/line_parser.hpp"
#include "monitor/ingest/line_reader.hpp"
#include "monitor/store/database.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace smtpprobe::ingest {

struct IngestOptions {
    LogFormat format = LogFormat::automatic;
    std::string timezone;    // "" -> $TZ / system
    std::optional<int> year; // --year for classic stamps
    // Lines per transaction. Each commit writes the pages it dirtied to the WAL again (index
    // pages above all) and the sender joins still queued: 100,000 lines (~0.4 s of work, the
    // write lock held as long; a kill re-reads at most that much) took a quarter less wall
    // time than 20,000 on the bench logs, peak memory +2-5 MB.
    std::size_t batch_lines = 100000;
    bool fresh_path = true;       // false: every delivery checked one by one (ingest_store.hpp)
    std::size_t sample_limit = 5; // unparseable samples kept (escaped)
    evidence::OurIps ours;        // the configured identities (evidence attribution)
    std::string node; // the node reading the logs (monitor/run/node_name.hpp; schema 018)
    // The sending IP of a line that names none: the node's single identity
    // (Config::default_ip(); evidence_writer.hpp), "" to leave it unattributed.
    std::string unnamed_ip;
};

struct IngestCounts {
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
    std::uint64_t deliveries = 0;     // delivery attempts read
    std::uint64_t new_deliveries = 0; // of which stored now (the others were known)
    std::uint64_t receipts = 0;       // backscatter evidence lines
    std::uint64_t messages = 0;       // from= / <= lines
    std::uint64_t foreign = 0;        // other programs' lines
    std::uint64_t unparseable = 0;
    std::uint64_t overlong = 0;
    std::uint64_t binary = 0;
    std::uint64_t files = 0;
    std::vector<std::string> samples; // unparseable lines, escaped by printable()
};

// A delivery attempt as it is stored (views valid during the callback only).
struct DeliveryEvent {
    const LogRecord& record;
    const QueuedMessage* message;
    const classify::Result& result;
    const evidence::Decision& decision; // what the evidence policy made of it
    std::string_view verdict;           // the evidence verdict's name, "" when no evidence
};

class LogIngester {
public:
    using DeliveryCallback = std::function<void(const DeliveryEvent&)>;
    // done, total (bytes; total 0 when unknown), lines so far.
    using ProgressCallback = std::function<void(std::uint64_t, std::uint64_t, std::uint64_t)>;

    // db may be null: parse and classify only (nothing stored, no cursors).
    LogIngester(store::Database* db, const classify::Classifier& classifier, IngestOptions options);
    ~LogIngester();

    void on_delivery(DeliveryCallback callback) { m_on_delivery = std::move(callback); }
    void on_progress(ProgressCallback callback, std::uint64_t total_bytes);

    // Ingests one path ("-" for stdin). Throws ReadError when it cannot be read.
    void ingest(const std::string& path);
    // Ends the run: forgets old sender joins and commits. Call after the last ingest().
    void finish();
    const IngestCounts& counts() const { return m_counts; }

private:
    // Reads path from offset; complete: the last line counts without a newline.
    void read_file(const std::string& path, FileCursor cursor, bool complete,
                   std::int64_t reference_time);
    void handle(const Line& line, std::string_view content_id, LineReader& reader);
    void commit(const FileCursor* cursor);

    store::Database* m_db;
    std::unique_ptr<IngestStore> m_store;
    DeliveryClassifier m_classifier;
    IngestOptions m_options;
    TimeZone m_zone;
    TimeParser m_time;
    LineParser m_parser;
    LogRecord m_record;
    IngestCounts m_counts;
    DeliveryCallback m_on_delivery;
    ProgressCallback m_on_progress;
    std::uint64_t m_total_bytes = 0;
    std::uint64_t m_done_bytes = 0; // of files finished
    std::int64_t m_newest = 0;
    evidence::Decision m_decision; // reused for every delivery
};

} // namespace smtpprobe::ingest
