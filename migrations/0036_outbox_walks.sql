-- A broadcast whose recipients are worked out as it is sent, not stored (bot/storage/outbox.py,
-- "walks"): a secret poll's reminder round, whose list of recipients would say who had not
-- voted. The row names nobody: what it walks (SUBJECT, e.g. '12:24h', poll 12's 24-hour round,
-- for the walker of KIND) and how far it has gone (DONE_TO, a member id: every member of the
-- electorate up to it has been dealt with, whether they had voted or not).
CREATE TABLE outbox_walks (
    id            INTEGER PRIMARY KEY,
    dedupe        TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    done_to       INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    not_before    TEXT NOT NULL,
    claimed_until TEXT,
    forget_with   TEXT
);
CREATE INDEX outbox_walks_forget ON outbox_walks(forget_with) WHERE forget_with IS NOT NULL;
