-- Issue 20: a fleet of probes on one database. A receiver's minimum spacing and concurrency hold
-- across every node (monitor/probing/fleet_claim.hpp): before a session to a config receiver
-- starts, a node claims a slot in one transaction, reading and writing these two tables.
-- Times are ISO 8601 UTC text like in 001, computed by the node and bound (never SQL time
-- functions), so the statements read the same on SQLite and PostgreSQL.

-- When the latest session to each receiver started, from which node and source IP.
CREATE TABLE fleet_probe_start (
    receiver  TEXT PRIMARY KEY,         -- the config receiver's name
    started   TEXT NOT NULL,
    node      TEXT NOT NULL,            -- [run] node, else the host name
    source_ip TEXT                      -- NULL: the kernel chose the address
);

-- Sessions open now: one lease per session, deleted when it ends. A lease expires at the
-- session's deadline, so a node killed mid-session never blocks the receiver for long.
CREATE TABLE fleet_probe_lease (
    lease     TEXT PRIMARY KEY,         -- "<node>/<pid>/<random>", unique per session
    receiver  TEXT NOT NULL,
    node      TEXT NOT NULL,
    source_ip TEXT,
    started   TEXT NOT NULL,
    expires   TEXT NOT NULL
);
CREATE INDEX fleet_probe_lease_receiver ON fleet_probe_lease(receiver, expires);
