-- Bounce ingestion (issue 5): what the bounce table of 001 lacks, and the seen-markers that
-- make `ingest bounce` incremental and idempotent for Maildirs and mboxes.

-- Per-message and per-recipient facts of RFC 3464 / ARF reports not in 001.
ALTER TABLE bounce ADD COLUMN received_from_mta TEXT;
ALTER TABLE bounce ADD COLUMN sender TEXT;            -- X-Postfix-Sender / ARF Original-Mail-From
ALTER TABLE bounce ADD COLUMN feedback_type TEXT;     -- ARF Feedback-Type (complaints)
ALTER TABLE bounce ADD COLUMN rule_id TEXT;           -- the classifier rule that decided

-- One row per message already ingested (or found malformed), written in the same
-- transaction as its bounce and evidence rows: a message is either fully in or not at all.
CREATE TABLE bounce_message (
    message_key TEXT PRIMARY KEY,          -- Message-ID + content hash (message_source.hpp)
    message_id  TEXT,
    path        TEXT,                      -- where it was first read
    kind        TEXT NOT NULL,             -- bounce | delay | receipt | complaint | autoreply | malformed
    recipients  INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
