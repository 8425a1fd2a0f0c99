// The SQL of ingested bounces (schema 002, 007, 011): one `bounce` row per recipient and the
// `bounce_message` seen-marker of each message (also of a malformed one, so a later run skips
// it). monitor/ingest/bounce/bounce_store.hpp decides what is written in which transaction.
#pragma once

#include "monitor/store/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpprobe::store {

// One recipient's row. Optional texts: "" = NULL.
struct BounceRowView {
    std::string_view time;
    std::string_view file;
    std::string_view message_id;
    std::string_view kind;
    std::string_view reporting_mta;
    std::string_view arrival_date;
    std::string_view recipient;
    std::string_view original_recipient;
    std::string_view action;
    std::string_view status;
    std::optional<int> reply_code;
    std::string_view remote_mta;
    std::string_view diagnostic;
    std::string_view last_attempt;
    std::string_view original_message_id;
    std::string_view original_from;
    std::string_view original_to;
    std::string_view original_subject;
    std::string_view original_date;
    std::string_view named_ip;
    std::string_view provider;
    std::string_view scope;
    std::string_view reason;
    std::string_view provider_code;
    std::string_view about;
    std::string_view source_key; // unique: the message key and the recipient's position
    std::string_view received_from_mta;
    std::string_view sender;
    std::string_view feedback_type;
    std::string_view rule_id;
};

// The seen-marker of one message (message_id "" = NULL; kind "malformed" for a message that
// could not be read).
struct BounceMessageRowView {
    std::string_view message_key;
    std::string_view message_id;
    std::string_view path;
    std::string_view kind;
    std::int64_t recipients = 0;
    std::string_view ingested_at;
};

// Statements prepared once for a whole ingest (the caller's transactions around them). Every
// bounce row names node, the node that read the message (schema 018; "" = NULL).
class BounceRows {
public:
    BounceRows(Database& db, std::string node);

    // Whether a message with this key has a marker.
    bool seen(const std::string& message_key);
    // Inserts the row unless its source key is stored; the new row's id, else nullopt.
    std::optional<std::int64_t> insert_bounce(const BounceRowView& row);
    // Inserts the marker unless the key has one.
    void insert_message(const BounceMessageRowView& row);

private:
    Database& m_db;
    std::string m_node;
    Statement m_seen;
    Statement m_insert_bounce;
    Statement m_insert_message;
};

} // namespace smtpprobe::store
