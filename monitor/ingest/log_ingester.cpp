// The ingestion loop, cursors and rotation (see log_ingester.hpp).
#include "monitor/ingest/log_ingester.hpp"

#include "monitor/ingest/file_rotation.hpp"
#include "probe/printable.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/stat.h>

namespace smtpprobe::ingest {

namespace {

constexpr std::int64_t k_keep_joins_seconds = 30 * 86400;
// New deliveries after which an ingest refreshes the planner's statistics (finish()).
constexpr std::uint64_t k_analyze_after_rows = 10000;

std::string absolute(const std::string& path)
{
    if (path == "-") {
        return path;
    }
    char* real = ::realpath(path.c_str(), nullptr);
    if (real == nullptr) {
        return path;
    }
    std::string out(real);
    std::free(real);
    return out;
}

} // namespace

LogIngester::LogIngester(store::Database* db, const classify::Classifier& classifier,
                         IngestOptions options)
    : m_db(db), m_classifier(classifier), m_options(std::move(options)), m_zone(m_options.timezone),
      m_time(m_zone, static_cast<std::int64_t>(std::time(nullptr)), m_options.year),
      m_parser(m_time, m_options.format)
{
    if (m_db != nullptr) {
        m_store = std::make_unique<IngestStore>(*m_db, m_options.node, m_options.fresh_path,
                                                m_options.unnamed_ip);
    }
}

LogIngester::~LogIngester() = default;

void LogIngester::on_progress(ProgressCallback callback, std::uint64_t total_bytes)
{
    m_on_progress = std::move(callback);
    m_total_bytes = total_bytes;
}

void LogIngester::ingest(const std::string& given)
{
    ++m_counts.files;
    std::string path = absolute(given);
    if (path == "-") {
        read_file(path, FileCursor{path, "", "", 0, ""}, true,
                  static_cast<std::int64_t>(std::time(nullptr)));
        return;
    }
    std::optional<FileCursor> saved = m_store ? m_store->cursor(path) : std::nullopt;
    std::optional<FileFacts> facts = file_facts(path);
    if (saved) {
        bool same_file = facts && facts->identity == saved->identity;
        bool intact = same_file && facts->size >= saved->offset &&
                      line_before_matches(path, saved->offset, saved->checksum);
        if (intact) {
            read_file(path, *saved, false, facts->mtime);
            return;
        }
        // Rotated (renamed, compressed, copied and truncated) or rewritten: finish the old
        // log where it lives now, then read what the path holds from the start.
        if (auto old = find_rotated(path, saved->identity, saved->content_id)) {
            if (line_before_matches(old->old_file, saved->offset, saved->checksum)) {
                if (auto old_facts = file_facts(old->old_file)) {
                    read_file(old->old_file, *saved, true, old_facts->mtime);
                }
                // Rotations we slept through: whole generations never read, oldest first. The
                // cursor stays the path's, so a crash in one resumes there.
                for (const std::string& newer : old->newer) {
                    if (auto newer_facts = file_facts(newer)) {
                        read_file(newer, FileCursor{path, newer_facts->identity, "", 0, ""}, true,
                                  newer_facts->mtime);
                    }
                }
            }
        }
    }
    if (!facts) {
        if (saved) {
            return; // rotated away and not recreated yet: nothing more to read
        }
        // Why, in the system's words (a folder, no such file, permission denied).
        struct stat st {};
        const std::string why = ::stat(path.c_str(), &st) != 0 ? std::strerror(errno)
                                : S_ISDIR(st.st_mode)          ? "is a folder, not a log file"
                                                               : "not a regular file";
        throw ReadError(given + ": cannot read: " + why);
    }
    read_file(path, FileCursor{path, facts->identity, "", 0, ""}, false, facts->mtime);
}

void LogIngester::read_file(const std::string& file, FileCursor cursor, bool complete,
                            std::int64_t reference_time)
{
    LineReader reader(file, complete);
    m_time.set_reference(reference_time);
    if (cursor.content_id.empty() && file != "-") {
        // The first line identifies the content. Unlike the rotation search, a read error here
        // (a corrupt .gz) is the command's error, not "nothing yet".
        LineReader first(file, false);
        Line first_line;
        if (!first.next(first_line)) {
            return; // no complete line yet: nothing to read, nothing to remember
        }
        cursor.content_id = line_checksum(first_line.text);
    }
    if (cursor.offset > 0) {
        reader.seek(cursor.offset);
    }
    // A resumed cursor keeps its checksum until a new line is read.

    if (m_store) {
        m_store->begin();
    }
    Line line;
    std::size_t in_batch = 0;
    std::string last_text; // the last line read, for the cursor's checksum
    while (reader.next(line)) {
        if (cursor.content_id.empty()) {
            cursor.content_id = line_checksum(line.text); // stdin: its first line
        }
        handle(line, cursor.content_id, reader);
        cursor.offset = line.end;
        last_text.assign(line.text);
        if (++in_batch >= m_options.batch_lines) {
            cursor.checksum = line_checksum(last_text);
            commit(file == "-" ? nullptr : &cursor);
            in_batch = 0;
        }
        if ((m_counts.lines & 0x3fff) == 0 && m_on_progress) {
            m_on_progress(m_done_bytes + reader.raw_position(), m_total_bytes, m_counts.lines);
        }
    }
    if (!last_text.empty() || in_batch > 0) {
        cursor.checksum = line_checksum(last_text);
    }
    m_counts.overlong += reader.overlong_lines();
    m_counts.binary += reader.binary_lines();
    commit(file == "-" ? nullptr : &cursor);
    m_done_bytes += reader.raw_position();
    m_counts.bytes += reader.raw_position();
    if (m_on_progress) {
        m_on_progress(m_done_bytes, m_total_bytes, m_counts.lines);
    }
}

void LogIngester::finish()
{
    if (m_store) {
        if (m_newest > 0) {
            m_store->prune_messages(m_newest, k_keep_joins_seconds);
        }
        m_store->commit();
        if (m_counts.new_deliveries >= k_analyze_after_rows) {
            // Many new rows in young tables: the planner's statistics would lag until the
            // server's autovacuum catches up (a minute or more), and a join planned for empty
            // tables can take minutes (store::refresh_statistics).
            store::refresh_statistics(*m_db);
        }
    }
}

void LogIngester::commit(const FileCursor* cursor)
{
    if (!m_store) {
        return;
    }
    if (cursor != nullptr && !cursor->content_id.empty()) {
        m_store->save_cursor(*cursor);
    }
    m_store->commit();
    m_store->begin();
}

void LogIngester::handle(const Line& line, std::string_view content_id, LineReader& reader)
{
    ++m_counts.lines;
    RecordKind kind = m_parser.parse(line.text, m_record);
    // Binary garbage is checked for only in lines that would be kept or reported.
    if (kind != RecordKind::ignored && kind != RecordKind::foreign && has_nul(line.text)) {
        reader.count_binary();
        return;
    }
    char key_buffer[64];
    auto source_key = [&]() {
        // content id, ':', the offset in 13 digits: keys of one file sort in file order, so
        // the unique index grows at its end instead of being written all over.
        std::size_t n = content_id.copy(key_buffer, 32);
        key_buffer[n++] = ':';
        std::uint64_t offset = line.offset;
        for (std::size_t i = 13; i-- > 0;) {
            key_buffer[n + i] = static_cast<char>('0' + offset % 10);
            offset /= 10;
        }
        return std::string_view(key_buffer, n + 13);
    };
    switch (kind) {
    case RecordKind::delivery: {
        ++m_counts.deliveries;
        if (m_record.time > m_newest) {
            m_newest = m_record.time;
        }
        const classify::Result& result = m_classifier.classify(m_record);
        evidence::decide(log_observation(m_record, result), m_options.ours, m_decision);
        const QueuedMessage* message =
            m_store && !m_record.queue_id.empty() ? m_store->find_message(m_record) : nullptr;
        if (m_store && m_store->add_delivery(m_record, source_key(), message, result, m_decision)) {
            ++m_counts.new_deliveries;
        }
        if (m_on_delivery) {
            m_on_delivery(DeliveryEvent{m_record, message, result, m_decision,
                                        m_decision.recorded ? evidence::name(m_decision.verdict)
                                                            : std::string_view()});
        }
        if (message != nullptr) {
            m_store->count_delivery(m_record); // may forget message
        }
        break;
    }
    case RecordKind::message_from:
        ++m_counts.messages;
        if (m_store && !m_record.queue_id.empty()) {
            m_store->put_message(m_record);
        }
        break;
    case RecordKind::message_removed:
        if (m_store) {
            m_store->remove_message(m_record);
        }
        break;
    case RecordKind::receipt:
        ++m_counts.receipts;
        if (m_store) {
            m_store->add_finding(m_record, "backscatter", source_key());
        }
        break;
    case RecordKind::foreign:
        ++m_counts.foreign;
        break;
    case RecordKind::unparseable:
        ++m_counts.unparseable;
        if (m_counts.samples.size() < m_options.sample_limit) {
            m_counts.samples.push_back(printable(line.text, 300));
        }
        break;
    case RecordKind::ignored:
        break;
    }
}

} // namespace smtpprobe::ingest
