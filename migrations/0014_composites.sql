-- Composites: motions merged into one by the arrangements committee (the room's organisers).
-- The composite is itself a motion (composites.motion_id), drafted and edited as any motion; this
-- records where each of its points came from and each original mover's agreement to its words.
CREATE TABLE composites (
    id         INTEGER PRIMARY KEY,                            -- C1, C2, …
    motion_id  INTEGER NOT NULL UNIQUE REFERENCES motions(id), -- the composite's own text
    origins    TEXT NOT NULL,   -- JSON {"notes": [["M3 notes 1", "M7 notes 2"], …], …}: each point's sources
    created_at TEXT NOT NULL
);

-- One row per original motion. Its drafters agree (or not) to the composite's wording; an
-- agreement is to the words as they stood (wording: a fingerprint of title and text), so an
-- edit afterwards asks for agreement again.
CREATE TABLE composite_originals (
    composite_id INTEGER NOT NULL REFERENCES composites(id),
    motion_id    INTEGER NOT NULL REFERENCES motions(id),
    agreed_by    TEXT,          -- the identity of the drafter who agreed
    agreed_name  TEXT,
    agreed_at    TEXT,
    wording      TEXT,
    PRIMARY KEY (composite_id, motion_id)
) WITHOUT ROWID;
