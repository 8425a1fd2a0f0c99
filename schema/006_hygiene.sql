-- Sender hygiene checks (monitor/hygiene): one row per check of one sending identity.
-- Booleans are 0/1; *_detail says why in one sentence.
CREATE TABLE hygiene_check (
    id               INTEGER PRIMARY KEY,
    time             TEXT NOT NULL,
    ip               TEXT NOT NULL,
    helo             TEXT NOT NULL,
    mail_from_domain TEXT NOT NULL,
    ptr_names        TEXT,              -- JSON array
    fcrdns           INTEGER NOT NULL,  -- PTR resolves back to the IP
    helo_matches     INTEGER NOT NULL,  -- HELO is a forward-confirmed PTR name
    ptr_detail       TEXT,
    spf_result       TEXT NOT NULL CHECK (spf_result IN ('none', 'neutral', 'pass', 'fail',
                                         'softfail', 'temperror', 'permerror')),
    spf_record       TEXT,
    spf_detail       TEXT,
    dmarc_present    INTEGER NOT NULL,
    dmarc_policy     TEXT,              -- none | quarantine | reject, NULL if absent/invalid
    dmarc_record     TEXT,
    dmarc_detail     TEXT,
    unknown          INTEGER NOT NULL,  -- some part could not be checked (DNS failure)
    all_ok           INTEGER NOT NULL,
    detail           TEXT               -- JSON: the whole report (written by `run`)
);
CREATE INDEX hygiene_check_ip_time ON hygiene_check(ip, time);
