-- Trigger campaigns (no confidence, open selection, recall): members sign until a threshold
-- is crossed, and then the trigger fires exactly once.

CREATE TABLE triggers (
    id              INTEGER PRIMARY KEY,
    room            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('open-selection', 'recall', 'no-confidence')),
    office          TEXT NOT NULL,
    threshold       TEXT NOT NULL,           -- JSON of the threshold (see bot/features/triggers/model.py)
    branch          TEXT,                    -- electorate: one branch; NULL for the whole roll
    ballot          TEXT NOT NULL,           -- JSON: the follow-up ballot to open when it fires
    opened_by       TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    closes_at       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fired', 'expired', 'cancelled')),
    fired_at        TEXT,
    ended_at        TEXT,
    ballot_poll_id  INTEGER REFERENCES polls(id)
);
CREATE INDEX triggers_status ON triggers(status, closes_at);

-- The electorate, fixed when the campaign opens, with each member's branch at that time.
CREATE TABLE trigger_electorate (
    trigger_id INTEGER NOT NULL REFERENCES triggers(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    branch     TEXT,
    PRIMARY KEY (trigger_id, member_id)
) WITHOUT ROWID;

CREATE TABLE trigger_signatures (
    trigger_id INTEGER NOT NULL REFERENCES triggers(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    identity   TEXT NOT NULL,
    branch     TEXT,
    consent    INTEGER NOT NULL CHECK (consent = 1),
    signed_at  TEXT NOT NULL,
    PRIMARY KEY (trigger_id, member_id)
) WITHOUT ROWID;
