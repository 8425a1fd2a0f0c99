-- smtpprobe history, migration 5: the monitor's own state (monitor/episodes, monitor/run,
-- monitor/alerts). Times are ISO 8601 UTC text like in 001.

-- The episode builder's state per (sending IP, scope): what it has folded so far, so an
-- incremental update continues exactly where the last one stopped (see episode_builder.hpp).
CREATE TABLE episode_state (
    ip            TEXT NOT NULL,
    scope         TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('blocked', 'clear', 'unknown')),
    since         TEXT,                   -- when the current state started (NULL: unknown)
    last_time     TEXT NOT NULL,          -- (time, id) of the last evidence folded in
    last_id       INTEGER NOT NULL,
    last_verdict  TEXT NOT NULL,
    provider_code TEXT,                   -- the last provider code seen for this key
    reason        TEXT,                   -- the reason of the last blocked/clear evidence
    machine       TEXT NOT NULL,          -- JSON: the unconfirmed run (episode_fold.hpp)
    episode_id    INTEGER REFERENCES episode(id) ON DELETE SET NULL,  -- the open episode
    PRIMARY KEY (ip, scope)
);

-- Named positions of the monitor's incremental work ("episodes" = last evidence id folded).
CREATE TABLE monitor_cursor (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- When each periodic task of `smtpprobe run` last ran and when it is due again
-- (task: "probe:<receiver>:<identity ip>", "dnsbl:<ip>", "hygiene:<ip>").
CREATE TABLE run_schedule (
    task        TEXT PRIMARY KEY,
    last_run    TEXT NOT NULL,
    next_due    TEXT NOT NULL,
    last_result TEXT
);

-- One alert per change: the unique event key makes re-running never enqueue it twice.
CREATE TABLE alert_event (
    id        INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL UNIQUE,          -- "episode-opened|ip|scope|opened", ...
    kind      TEXT NOT NULL,                 -- episode_opened | episode_closed | dnsbl_listed |
                                             -- dnsbl_delisted | backscatter
    created   TEXT NOT NULL,
    payload   TEXT NOT NULL                  -- the JSON document sent (docs/alerts.md)
);

-- Delivery of one alert through one channel: pending until sent, retried with back-off.
CREATE TABLE alert_delivery (
    event_id     INTEGER NOT NULL REFERENCES alert_event(id) ON DELETE CASCADE,
    channel      TEXT NOT NULL,              -- "webhook:<name>", "command:<name>", "mail:<name>"
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    last_error   TEXT,
    sent_at      TEXT,
    PRIMARY KEY (event_id, channel)
);
CREATE INDEX alert_delivery_due ON alert_delivery(state, next_attempt);

