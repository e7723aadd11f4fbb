-- Sortition in chat: volunteer pools, their quotas and the verifiable draw.

CREATE TABLE pools (
    id            INTEGER PRIMARY KEY,
    room          TEXT NOT NULL,
    title         TEXT NOT NULL,
    questions     TEXT NOT NULL,      -- JSON [{"name": "gender", "options": ["female", ...]}, ...]
    panel_size    INTEGER,
    status        TEXT NOT NULL CHECK (status IN ('open', 'committed', 'drawn')),
    document      TEXT,               -- the sealed, published draw document (JSON)
    commitment    TEXT,
    randomness    TEXT,               -- announced randomness used for the panel
    panel         TEXT,               -- JSON list of ticket numbers on the panel now
    rounds        INTEGER NOT NULL DEFAULT 0,  -- replacement rounds done
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE pool_quotas (
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    feature TEXT NOT NULL,
    value   TEXT NOT NULL,
    min     INTEGER NOT NULL,
    max     INTEGER NOT NULL,
    PRIMARY KEY (pool_id, feature, value)
);

-- A volunteer's registration; stored only once they consented. ticket is set when the pool is
-- frozen (registration order); declined once they turn down a seat.
CREATE TABLE pool_volunteers (
    pool_id       INTEGER NOT NULL REFERENCES pools(id),
    identity      TEXT NOT NULL,
    name          TEXT NOT NULL,
    answers       TEXT NOT NULL,      -- JSON {"gender": "female", ...}
    consent_at    TEXT NOT NULL,
    seq           INTEGER NOT NULL,   -- registration order
    ticket        INTEGER,
    declined      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, identity)
);
