-- The receivers' own view (issue 19): DMARC aggregate reports, SMTP TLS reports (RFC 8460)
-- and Microsoft SNDS feeds, stored as read, so `ingest` and `run` are idempotent and the
-- dashboard can show them beside the evidence they produced.
-- Times are ISO 8601 UTC text like in 001. Peer text is stored as received (bounded by the
-- readers) and escaped on output.

-- One DMARC aggregate report. (org, report_id) is its identity (RFC 7489 section 7.2.1.1):
-- ingesting it again, from another file or mail, changes nothing.
CREATE TABLE dmarc_report (
    id               INTEGER PRIMARY KEY,
    org              TEXT NOT NULL,          -- org_name, else the email when it is empty
    report_id        TEXT NOT NULL,
    email            TEXT,
    extra_contact    TEXT,
    begin_time       TEXT NOT NULL,
    end_time         TEXT NOT NULL,
    format           TEXT NOT NULL,          -- rfc7489 | dmarcbis | draft
    version          TEXT,
    scope            TEXT NOT NULL,          -- the receiver scope the reporter stands for
    policy_domain    TEXT,
    adkim            TEXT,
    aspf             TEXT,
    p                TEXT,
    sp               TEXT,
    np               TEXT,
    pct              INTEGER,
    fo               TEXT,
    testing          TEXT,
    errors           TEXT,                   -- JSON array of <error> texts
    records          INTEGER NOT NULL,
    messages         INTEGER NOT NULL,
    skipped_records  INTEGER NOT NULL DEFAULT 0,
    notes            TEXT,                   -- JSON array: repairs made while reading
    origin           TEXT,                   -- where it was first read
    ingested_at      TEXT NOT NULL,
    UNIQUE (org, report_id)
);
CREATE INDEX dmarc_report_scope_begin ON dmarc_report(scope, begin_time);

-- One record (row) of a DMARC report.
CREATE TABLE dmarc_record (
    id            INTEGER PRIMARY KEY,
    report        INTEGER NOT NULL REFERENCES dmarc_report(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,           -- position in the report, from 1
    source_ip     TEXT NOT NULL,
    count         INTEGER NOT NULL,
    disposition   TEXT,
    dkim          TEXT,                       -- policy_evaluated: aligned DKIM pass | fail
    spf           TEXT,                       -- policy_evaluated: aligned SPF pass | fail
    reasons       TEXT,                       -- JSON [{"type", "comment"}]
    header_from   TEXT,
    envelope_from TEXT,
    envelope_to   TEXT,
    dkim_auth     TEXT,                       -- JSON [{"domain", "selector", "result", ...}]
    spf_auth      TEXT,                       -- JSON [{"domain", "scope", "result", ...}]
    ours          INTEGER NOT NULL,           -- source_ip is one of our identities
    UNIQUE (report, seq)
);
CREATE INDEX dmarc_record_ip ON dmarc_record(source_ip, report);

-- One SMTP TLS report; (organization, report_id) is its identity.
CREATE TABLE tlsrpt_report (
    id           INTEGER PRIMARY KEY,
    organization TEXT NOT NULL,
    report_id    TEXT NOT NULL,
    contact_info TEXT,
    start_time   TEXT NOT NULL,
    end_time     TEXT NOT NULL,
    policies     INTEGER NOT NULL,
    successful   INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    origin       TEXT,
    ingested_at  TEXT NOT NULL,
    UNIQUE (organization, report_id)
);

-- One policy of a TLS report: our policy domain and MX as the sender saw them.
CREATE TABLE tlsrpt_policy (
    id            INTEGER PRIMARY KEY,
    report        INTEGER NOT NULL REFERENCES tlsrpt_report(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    policy_type   TEXT,                       -- sts | tlsa | no-policy-found
    policy_domain TEXT,
    policy_string TEXT,                       -- JSON array
    mx_host       TEXT,                       -- JSON array
    successful    INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    failures      TEXT NOT NULL,              -- JSON array of failure details (RFC 8460 4.3)
    UNIQUE (report, seq)
);
CREATE INDEX tlsrpt_policy_domain ON tlsrpt_policy(policy_domain);

-- One fetch or ingest of an SNDS feed: when, from where (the URL without its key, or the
-- file), what came back. The key is never stored.
CREATE TABLE snds_fetch (
    id          INTEGER PRIMARY KEY,
    time        TEXT NOT NULL,
    feed        TEXT NOT NULL CHECK (feed IN ('ip-status', 'data', 'file')),
    source      TEXT NOT NULL,
    outcome     TEXT NOT NULL,                -- ok | http-<status> | timeout | error
    detail      TEXT,
    rows        INTEGER NOT NULL DEFAULT 0,
    malformed   INTEGER NOT NULL DEFAULT 0
);

-- One row of the IP status feed, per fetch.
CREATE TABLE snds_status (
    id        INTEGER PRIMARY KEY,
    fetch     INTEGER NOT NULL REFERENCES snds_fetch(id) ON DELETE CASCADE,
    first_ip  TEXT NOT NULL,
    last_ip   TEXT NOT NULL,
    blocked   INTEGER NOT NULL,
    reason    TEXT
);

-- The reputation signals of one IP for one activity period (data feed). The same period read
-- again (the next fetch, a saved file) updates nothing.
CREATE TABLE snds_data (
    id                INTEGER PRIMARY KEY,
    ip                TEXT NOT NULL,
    start_time        TEXT NOT NULL,
    end_time          TEXT,
    rcpt_commands     INTEGER NOT NULL,
    data_commands     INTEGER NOT NULL,
    recipients        INTEGER NOT NULL,
    filter            TEXT,                   -- GREEN | YELLOW | RED
    complaint_rate    TEXT,                   -- as given ("< 0.1%")
    complaint_percent REAL,
    trap_start        TEXT,
    trap_end          TEXT,
    trap_hits         INTEGER NOT NULL,
    sample_helo       TEXT,
    sample_mail_from  TEXT,
    comments          TEXT,
    fetch             INTEGER REFERENCES snds_fetch(id) ON DELETE SET NULL,
    UNIQUE (ip, start_time)
);

-- What one SNDS fetch (or saved file) says about one of our IPs: the row evidence of
-- source_kind 'snds' points to (blocked: a status range covers it; clear: the account knows
-- the IP and no range blocks it).
CREATE TABLE snds_ip_state (
    id        INTEGER PRIMARY KEY,
    fetch     INTEGER NOT NULL REFERENCES snds_fetch(id) ON DELETE CASCADE,
    ip        TEXT NOT NULL,
    verdict   TEXT NOT NULL CHECK (verdict IN ('blocked', 'clear')),
    reason    TEXT,                       -- the status row's reason, or why it is clear
    first_ip  TEXT,                       -- the covering range, when one does
    last_ip   TEXT
);

-- Findings from reports join the log ingester's findings (status, alerts): who they are
-- about and what to do.
ALTER TABLE finding ADD COLUMN ip TEXT;
ALTER TABLE finding ADD COLUMN scope TEXT;
ALTER TABLE finding ADD COLUMN action TEXT;
