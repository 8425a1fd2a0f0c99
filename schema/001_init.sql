-- smtpprobe history, version 1: the data model of DESIGN.md.
-- Times are ISO 8601 UTC text ("2026-03-11T20:18:23Z"), which sorts like time.
-- Peer text is stored as received (already bounded by the reader); it is escaped on output.

-- One scripted SMTP session against one target.
CREATE TABLE probe_run (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    script           TEXT NOT NULL,
    target           TEXT NOT NULL,          -- what was asked for: domain, host, host:port
    mx_host          TEXT,                   -- the host that answered
    ip               TEXT,
    port             INTEGER,
    source_ip        TEXT,
    helo             TEXT,
    banner           TEXT,
    extensions       TEXT,                   -- JSON array of EHLO keywords
    tls_version      TEXT,
    tls_cipher       TEXT,
    tls_subject      TEXT,
    tls_issuer       TEXT,
    tls_not_after    TEXT,
    tls_verified     INTEGER,
    tls_verify_error TEXT,
    outcome          TEXT NOT NULL,          -- completed, rejected, timeout, protocol-error, ...
    stage            TEXT,                   -- the stage where the dialogue stopped
    reply_code       INTEGER,                -- the decisive reply
    reply_enhanced   TEXT,
    reply_text       TEXT,
    provider         TEXT,
    scope            TEXT,
    reason           TEXT,
    provider_code    TEXT,
    verdict          TEXT,                   -- script-specific (dsn-test: backscatter-risk, ...)
    detail           TEXT                    -- JSON: anything script-specific
);
CREATE INDEX probe_run_target_time ON probe_run(target, started_at);
CREATE INDEX probe_run_scope_time ON probe_run(scope, started_at);

-- Every command and its reply, in order. command is NULL for the banner; events
-- (TLS established, timeout, reset) are steps with kind 'event'.
CREATE TABLE probe_step (
    run_id         INTEGER NOT NULL REFERENCES probe_run(id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    stage          TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'command',   -- command | event
    command        TEXT,
    reply_code     INTEGER,
    reply_enhanced TEXT,
    reply_text     TEXT,                              -- reply lines joined by "\n"
    elapsed_ms     INTEGER NOT NULL,                  -- since session start
    PRIMARY KEY (run_id, seq)
);

-- One delivery attempt read from an MTA log.
CREATE TABLE delivery (
    id             INTEGER PRIMARY KEY,
    time           TEXT NOT NULL,
    mta            TEXT NOT NULL,            -- sendmail | postfix | exim
    host           TEXT,                     -- syslog host field
    queue_id       TEXT,
    sender         TEXT,
    recipient      TEXT,
    orig_recipient TEXT,
    relay_host     TEXT,
    relay_ip       TEXT,
    relay_port     INTEGER,
    delay          REAL,
    dsn            TEXT,
    status         TEXT,
    reply          TEXT,
    provider       TEXT,
    scope          TEXT,
    reason         TEXT,
    provider_code  TEXT,
    about          TEXT,
    source_key     TEXT NOT NULL UNIQUE      -- file identity + offset: re-ingesting never duplicates
);
CREATE INDEX delivery_time ON delivery(time);
CREATE INDEX delivery_scope_time ON delivery(scope, time);

-- One recipient of a bounce (or receipt, or complaint) message.
CREATE TABLE bounce (
    id                  INTEGER PRIMARY KEY,
    time                TEXT NOT NULL,
    file                TEXT,
    message_id          TEXT,
    kind                TEXT NOT NULL DEFAULT 'bounce',   -- bounce | receipt | complaint | delay
    reporting_mta       TEXT,
    arrival_date        TEXT,
    recipient           TEXT,
    original_recipient  TEXT,
    action              TEXT,
    status              TEXT,
    reply_code          INTEGER,
    remote_mta          TEXT,
    diagnostic          TEXT,
    last_attempt        TEXT,
    original_message_id TEXT,
    original_from       TEXT,
    original_to         TEXT,
    original_subject    TEXT,
    original_date       TEXT,
    named_ip            TEXT,
    provider            TEXT,
    scope               TEXT,
    reason              TEXT,
    provider_code       TEXT,
    about               TEXT,
    source_key          TEXT NOT NULL UNIQUE      -- message identity + recipient index
);
CREATE INDEX bounce_time ON bounce(time);

-- One DNSBL answer for one IP in one zone.
CREATE TABLE dnsbl_check (
    id      INTEGER PRIMARY KEY,
    time    TEXT NOT NULL,
    ip      TEXT NOT NULL,
    zone    TEXT NOT NULL,
    result  TEXT NOT NULL CHECK (result IN ('listed', 'clean', 'unknown')),
    codes   TEXT,                   -- JSON array of returned A records
    txt     TEXT,
    meaning TEXT
);
CREATE INDEX dnsbl_check_ip_zone_time ON dnsbl_check(ip, zone, time);

-- The one stream the monitor reasons over.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    time          TEXT NOT NULL,
    ip            TEXT NOT NULL,          -- our sending IP ('' when the source does not say)
    scope         TEXT NOT NULL,
    verdict       TEXT NOT NULL CHECK (verdict IN ('blocked', 'clear', 'unknown')),
    reason        TEXT,
    provider_code TEXT,
    source_kind   TEXT NOT NULL,          -- probe | log | bounce | dnsbl | note
    source_id     INTEGER NOT NULL,
    UNIQUE (source_kind, source_id, scope)
);
CREATE INDEX evidence_ip_scope_time ON evidence(ip, scope, time);
CREATE INDEX evidence_time ON evidence(time);

-- A block episode per (sending IP, scope).
CREATE TABLE episode (
    id             INTEGER PRIMARY KEY,
    ip             TEXT NOT NULL,
    scope          TEXT NOT NULL,
    opened         TEXT NOT NULL,
    closed         TEXT,
    first_evidence INTEGER REFERENCES evidence(id),
    last_evidence  INTEGER REFERENCES evidence(id),
    reason         TEXT,
    codes          TEXT,                  -- JSON array of provider codes seen
    evidence_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX episode_ip_scope ON episode(ip, scope, opened);

-- A manual timeline note ("delist requested, ticket 123").
CREATE TABLE note (
    id    INTEGER PRIMARY KEY,
    time  TEXT NOT NULL,
    ip    TEXT,
    scope TEXT,
    text  TEXT NOT NULL
);

-- Where incremental ingestion of a file stopped.
CREATE TABLE ingest_cursor (
    path       TEXT PRIMARY KEY,
    identity   TEXT NOT NULL,             -- device:inode
    offset     INTEGER NOT NULL,
    checksum   TEXT NOT NULL,             -- of the last line read, to notice truncation/rewrite
    updated_at TEXT NOT NULL
);
