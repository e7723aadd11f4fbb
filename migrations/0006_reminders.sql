-- Reminders and the outbox of broadcasts.

-- Rounds of reminders already queued for a poll ('24h', '1h', 'group-1h', 'manual-1', ...):
-- a round is queued once, in the same transaction as its messages, so a restart repeats none.
CREATE TABLE reminder_rounds (
    poll_id   INTEGER NOT NULL REFERENCES polls(id),
    round     TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, round)
);

-- Chat identities that asked not to be reminded (/remind off).
CREATE TABLE reminder_optout (
    identity TEXT PRIMARY KEY
);

-- Messages to send, drained by the adapters' rate-limited senders. A message is marked sent as
-- soon as the platform accepted it, so a crash mid-broadcast resumes where it stopped.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    dedupe     TEXT NOT NULL UNIQUE,        -- e.g. remind:12:24h:tg:123 — queued once only
    target     TEXT NOT NULL,               -- a room id, or an identity for a private message
    private    INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    not_before TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    TEXT,
    failed     TEXT                         -- why it was given up, if it was
);
CREATE INDEX outbox_pending ON outbox(sent_at, failed, not_before, id);
