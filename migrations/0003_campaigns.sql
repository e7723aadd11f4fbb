-- Model-motion campaigns: a motion published for branches to pass, its signatures and the
-- branches that report adopting it. A campaign shares its motion's id (M12).

CREATE TABLE campaigns (
    motion_id        INTEGER PRIMARY KEY REFERENCES motions(id),
    room             TEXT NOT NULL,
    opened_by        TEXT NOT NULL,
    goal_branches    INTEGER,
    goal_signatures  INTEGER,
    deadline         TEXT,                     -- the conference deadline (UTC ISO)
    opened_at        TEXT NOT NULL,
    closed_at        TEXT,
    goal_reached_at  TEXT                      -- set once, in the transaction that reached it
);

-- One signature per member (signer 'm:ID') or per chat identity of a supporter.
CREATE TABLE campaign_signatures (
    motion_id INTEGER NOT NULL REFERENCES campaigns(motion_id),
    signer    TEXT NOT NULL,
    identity  TEXT NOT NULL,
    name      TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    branch    TEXT,
    consent   INTEGER NOT NULL CHECK (consent = 1),
    signed_at TEXT NOT NULL,
    PRIMARY KEY (motion_id, signer)
) WITHOUT ROWID;
CREATE INDEX campaign_signatures_identity ON campaign_signatures(identity);

-- "Passed at our branch on 3 June": one report per branch (matched case-insensitively).
CREATE TABLE campaign_adoptions (
    motion_id   INTEGER NOT NULL REFERENCES campaigns(motion_id),
    branch_key  TEXT NOT NULL,                -- lower-cased branch name
    branch      TEXT NOT NULL,
    passed_on   TEXT NOT NULL,                -- a date, YYYY-MM-DD
    reported_by TEXT NOT NULL,
    reporter    TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (motion_id, branch_key)
) WITHOUT ROWID;
