-- smtpprobe history, version 3: what log ingestion needs beyond 001.

-- Something found in our own traffic that is not a delivery: kind 'backscatter' when our
-- server generated a success DSN ("DSN: Return receipt", Postfix "sender delivery status
-- notification"), which a forged sender can abuse. The monitor reports these.
CREATE TABLE finding (
    id          INTEGER PRIMARY KEY,
    time        TEXT NOT NULL,
    kind        TEXT NOT NULL,            -- backscatter
    host        TEXT,                     -- syslog host field
    queue_id    TEXT,                     -- the message the DSN answers
    detail      TEXT,                     -- the log text ("06FAFVbL012698: DSN: Return receipt")
    source_kind TEXT NOT NULL,            -- log
    source_key  TEXT NOT NULL UNIQUE      -- log identity + offset: re-ingesting never duplicates
);
CREATE INDEX finding_kind_time ON finding(kind, time);

-- Sender and size of messages still in a queue, read from from= / <= lines, so deliveries
-- logged later (in this run or the next) get them. Written in the same transactions as the
-- deliveries, removed when the log says the message left the queue.
CREATE TABLE ingest_message (
    host     TEXT NOT NULL,               -- '' when the log has no host field
    queue_id TEXT NOT NULL,
    sender   TEXT,
    size     INTEGER,
    time     TEXT NOT NULL,
    PRIMARY KEY (host, queue_id)
) WITHOUT ROWID;
CREATE INDEX ingest_message_time ON ingest_message(time);

-- The content identity of the file a cursor is in (checksum of its first line): it finds the
-- rotated file again after compression changed its inode, and it prefixes source keys.
ALTER TABLE ingest_cursor ADD COLUMN content_id TEXT NOT NULL DEFAULT '';

-- The message size joined from the from= line.
ALTER TABLE delivery ADD COLUMN size INTEGER;
