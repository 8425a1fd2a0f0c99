// The sender join of IngestStore (see ingest_store.hpp): from= / <= lines of queued
// messages in a bounded cache, written to ingest_message at each commit when still needed,
// forgotten when the message left the queue (Postfix "removed", Exim "Completed", sendmail:
// every nrcpts recipient done).
#include "monitor/ingest/ingest_store.hpp"
#include "monitor/ingest/log_time.hpp"

#include <algorithm>

namespace smtpprobe::ingest {

namespace {

// ~100 bytes each: the cache stays near 20 MB whatever the log size (the table has the rest).
constexpr std::size_t k_message_cache_limit = 100000;

std::string_view host_key(const LogRecord& record)
{
    return record.host;
}

} // namespace

const std::string& IngestStore::message_key(const LogRecord& record)
{
    // Built in a reused buffer: no allocation per line.
    m_key.assign(host_key(record));
    m_key += '\0';
    m_key += record.queue_id;
    return m_key;
}

void IngestStore::make_room()
{
    if (m_messages.size() >= k_message_cache_limit) {
        // The database holds every join once flushed: the cache can start over.
        flush_messages();
        m_messages.clear();
        m_db_may_have = true;
    }
}

void IngestStore::put_message(const LogRecord& record)
{
    make_room();
    auto [it, added] = m_messages.try_emplace(message_key(record));
    Cached& cached = it->second;
    if (added) {
        cached.persisted = m_db_may_have;
    }
    cached.message.sender.assign(record.sender);
    cached.message.size = record.size;
    cached.message.recipients_left = record.recipients;
    cached.time = record.time;
    if (!cached.dirty) {
        cached.dirty = true;
        m_dirty.push_back(it->first);
    }
}

void IngestStore::remove_message(const LogRecord& record)
{
    auto found = m_messages.find(message_key(record));
    if (found != m_messages.end()) {
        bool persisted = found->second.persisted;
        m_messages.erase(found);
        if (!persisted) {
            return; // never written: nothing to delete
        }
    }
    // It may have been written by an earlier batch or run.
    m_message_rows.remove(host_key(record), record.queue_id);
}

const QueuedMessage* IngestStore::find_message(const LogRecord& record)
{
    auto found = m_messages.find(message_key(record));
    if (found != m_messages.end()) {
        return &found->second.message;
    }
    std::optional<store::QueuedMessageRow> row =
        m_message_rows.find(host_key(record), record.queue_id);
    if (!row) {
        return nullptr;
    }
    // Always cached (count_delivery() counts on it); make_room() keeps m_key.
    make_room();
    Cached& cached = m_messages[m_key];
    cached.message.sender = std::move(row->sender);
    cached.message.size = row->size;
    cached.message.recipients_left = static_cast<int>(row->recipients_left);
    cached.time = -1; // only written whole when put again (then dirty)
    cached.persisted = true;
    return &cached.message;
}

void IngestStore::count_delivery(const LogRecord& record)
{
    // Final: delivered (2.x.x) or failed for good (5.x.x); a deferral is tried again.
    if (record.dsn.empty() || (record.dsn[0] != '2' && record.dsn[0] != '5')) {
        return;
    }
    auto found = m_messages.find(message_key(record));
    if (found == m_messages.end() || found->second.message.recipients_left < 0) {
        return; // not counted (Postfix, Exim; a sendmail from= without nrcpts)
    }
    // One to= line names every recipient of one delivery: "to=<a@x>,<b@x>".
    int done =
        1 + static_cast<int>(std::count(record.recipient.begin(), record.recipient.end(), ','));
    Cached& cached = found->second;
    cached.message.recipients_left = std::max(0, cached.message.recipients_left - done);
    if (cached.message.recipients_left == 0) {
        remove_message(record); // every recipient done: it left the queue
        return;
    }
    if (cached.dirty) {
        return; // written whole, count included, by the next flush
    }
    // Stored by an earlier batch or run: the stored count follows in this transaction.
    m_message_rows.set_recipients_left(host_key(record), record.queue_id,
                                       cached.message.recipients_left);
}

void IngestStore::flush_messages()
{
    for (const std::string& key : m_dirty) {
        auto found = m_messages.find(key);
        if (found == m_messages.end() || !found->second.dirty) {
            continue; // removed (or already written) since
        }
        std::size_t zero = key.find('\0');
        char time[24];
        m_message_rows.put(std::string_view(key).substr(0, zero),
                           std::string_view(key).substr(zero + 1), found->second.message.sender,
                           found->second.message.size,
                           std::string_view(time, format_utc(found->second.time, time)),
                           found->second.message.recipients_left);
        found->second.dirty = false;
        found->second.persisted = true;
    }
    m_dirty.clear();
}

void IngestStore::prune_messages(std::int64_t newest, std::int64_t keep_seconds)
{
    store::prune_queued_messages(m_db, format_utc(newest - keep_seconds));
    m_messages.clear();
}

} // namespace smtpprobe::ingest
