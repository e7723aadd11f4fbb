-- Supporter sign-up forms and the answers given to them, with explicit consent.
-- Answers are only ever inserted and deleted (never updated in place), and the writer
-- connection overwrites deleted content, so an erased supporter leaves no copy behind.

CREATE TABLE signup_forms (
    id        INTEGER PRIMARY KEY,
    room      TEXT NOT NULL,
    title     TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT
);

CREATE TABLE signups (
    form_id   INTEGER NOT NULL REFERENCES signup_forms(id),
    identity  TEXT NOT NULL,
    name      TEXT NOT NULL,
    area      TEXT NOT NULL,
    contact   TEXT,
    consent   INTEGER NOT NULL CHECK (consent = 1),
    signed_at TEXT NOT NULL,
    PRIMARY KEY (form_id, identity)
) WITHOUT ROWID;
