-- Issue 20: a fleet of nodes (outbound mail hosts) runs `run`, `ingest` and `probe` against one
-- shared database. Each node has a name ([run] node, by default the host name:
-- monitor/run/node_name.hpp), already used by node_run (017).
--
-- Every row that records an observation names the node that observed it: `node` is that name,
-- NULL on rows recorded before this migration (the node is unknown). Derived rows (episode,
-- episode_state, alert_event) and the receivers' own reports (DMARC, TLS-RPT, SNDS) are about
-- the fleet's IPs, not one node's view, and carry no node; evidence from them does.
ALTER TABLE evidence ADD COLUMN node TEXT;
ALTER TABLE delivery ADD COLUMN node TEXT;
ALTER TABLE bounce ADD COLUMN node TEXT;
ALTER TABLE probe_run ADD COLUMN node TEXT;
ALTER TABLE dnsbl_check ADD COLUMN node TEXT;
ALTER TABLE hygiene_check ADD COLUMN node TEXT;
ALTER TABLE finding ADD COLUMN node TEXT;

-- Log ingestion's cursors are per node and path: two nodes read files of the same path on
-- their own hosts, which must not share or overwrite each other's cursor. A key takes no NULL,
-- so the cursors written before fleets are kept under node '' ("the node that ingested before
-- fleets", whichever that was). The rule readers follow (monitor/store/ingest_state_rows.hpp):
-- a node without its own cursor for a path continues from the path's '' cursor, and its first
-- cursor of that path deletes the '' one, so exactly one node (normally the upgraded host that
-- wrote it, which runs first) continues from it and the others start their own. A node that
-- takes a cursor of another host's file finds no matching identity and line checksum there
-- and reads its file from the start (log_ingester.cpp); the unique delivery source keys keep
-- the original node's re-read from adding a row twice.
-- ("offset" is quoted: OFFSET is a reserved word in PostgreSQL.)
CREATE TABLE ingest_cursor_018 (
    node       TEXT NOT NULL,             -- '' = written before fleets (see above)
    path       TEXT NOT NULL,
    identity   TEXT NOT NULL,             -- device:inode
    "offset"   INTEGER NOT NULL,
    checksum   TEXT NOT NULL,             -- of the last line read, to notice truncation/rewrite
    updated_at TEXT NOT NULL,
    content_id TEXT NOT NULL DEFAULT '',  -- checksum of the file's first line (003)
    PRIMARY KEY (node, path)
);
INSERT INTO ingest_cursor_018 (node, path, identity, "offset", checksum, updated_at, content_id)
    SELECT '', path, identity, "offset", checksum, updated_at, content_id FROM ingest_cursor;
DROP TABLE ingest_cursor;
ALTER TABLE ingest_cursor_018 RENAME TO ingest_cursor;

-- The sender join of queued messages (003, 008) is per node too: the syslog host field is ''
-- when a log has none and may repeat across hosts, and queue ids of two hosts may collide.
-- Joins written before fleets are kept under node ''; a node reads its own join first, then
-- the '' one (a message queued across the upgrade keeps its sender and size).
CREATE TABLE ingest_message_018 (
    node            TEXT NOT NULL,        -- '' = written before fleets
    host            TEXT NOT NULL,        -- '' when the log has no host field
    queue_id        TEXT NOT NULL,
    sender          TEXT,
    size            INTEGER,
    time            TEXT NOT NULL,
    recipients_left INTEGER,
    PRIMARY KEY (node, host, queue_id)
);
INSERT INTO ingest_message_018 (node, host, queue_id, sender, size, time, recipients_left)
    SELECT '', host, queue_id, sender, size, time, recipients_left FROM ingest_message;
DROP TABLE ingest_message;
ALTER TABLE ingest_message_018 RENAME TO ingest_message;
CREATE INDEX ingest_message_time ON ingest_message(time);
