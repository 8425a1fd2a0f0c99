-- Issue 20: each node's `smtpprobe run` ticks, so a fleet can see a node that has gone silent
-- (/metrics: smtpprobe_run_*; deploy/prometheus). One row per node (its [run] node name, by
-- default the host name), rewritten by every tick. Times are ISO 8601 UTC text like in 001.
CREATE TABLE node_run (
    node             TEXT PRIMARY KEY,
    last_started     TEXT NOT NULL,         -- when the latest tick started
    last_finished    TEXT NOT NULL,         -- when it finished (whatever its parts did)
    last_success     TEXT,                  -- the latest tick whose every part succeeded
    last_result      TEXT NOT NULL,         -- "ok", or "failed: <part>, <part>"
    interval_seconds INTEGER NOT NULL       -- [run] interval: how often the node's timer ticks
);
