-- Issue 20: the overview of a fleet (thousands of sending IPs x tens of scopes) reads counts
-- and one page of IPs, never every pair (web/api/state_api.cpp, monitor/evidence/state_page.hpp).

-- Which node observed evidence of which (ip, scope): written by the episode fold for the
-- evidence it reads (monitor/episodes/episode_builder.cpp), so `?node=` and `status --node`
-- join it instead of scanning a year of evidence. ip as in evidence: '' = the evidence named
-- no sending IP, read as the fold keys it (the unattributed IP, state_rows.cpp).
CREATE TABLE state_node (
    node  TEXT NOT NULL,
    ip    TEXT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (node, ip, scope)
);
INSERT INTO state_node (node, ip, scope)
    SELECT DISTINCT node, ip, scope FROM evidence WHERE node IS NOT NULL AND node <> '';

-- Per sending IP, how many of its pairs are in each state: written by the fold in the
-- transaction that changes episode_state (recounted from it for the IPs the fold touched), so
-- the overview's counts and its pages of IPs read one row per IP, not one per pair (a count
-- over 250,000 pairs took 80 ms on PostgreSQL).
CREATE TABLE state_ip (
    ip      TEXT PRIMARY KEY,       -- as episode_state.ip
    pairs   INTEGER NOT NULL,
    blocked INTEGER NOT NULL,
    unknown INTEGER NOT NULL
);
INSERT INTO state_ip (ip, pairs, blocked, unknown)
    SELECT ip, count(*), sum(CASE WHEN state = 'blocked' THEN 1 ELSE 0 END),
           sum(CASE WHEN state = 'unknown' THEN 1 ELSE 0 END)
    FROM episode_state GROUP BY ip;

-- The same per node, over the pairs the node observed (state_node), keyed by the IP as the fold
-- keys it. The fold recounts the IPs it touched, and every IP after a full rebuild or while
-- the 'state_node_ip' cursor is missing: it maps evidence that names no IP to the config's
-- identity, which SQL here cannot know, so this migration leaves the table to the next fold
-- (readers use the slower join over state_node until then).
CREATE TABLE state_node_ip (
    node    TEXT NOT NULL,
    ip      TEXT NOT NULL,
    pairs   INTEGER NOT NULL,
    blocked INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    PRIMARY KEY (node, ip)
);

-- The blocked pairs without reading the clear ones.
CREATE INDEX episode_state_state ON episode_state(state, ip, scope);

-- The attention list's latest DSN test per target read without a scan of a year of probes
-- (store/attention_rows.cpp), and the nodes that probed (store/node_rows.cpp) from an index.
CREATE INDEX probe_run_script ON probe_run(script, target, id);
CREATE INDEX probe_run_node ON probe_run(node);
