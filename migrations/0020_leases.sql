-- Several processes on one database (PostgreSQL; on SQLite the one process holds them all):
-- what must run in one process at a time (the outbox's sender for a bot token, a Matrix
-- account's sync) holds a lease, taken or renewed with one statement and lost when it is not
-- renewed in time; and a message of the outbox is claimed by its sender until claimed_until,
-- so a process that dies holding a claim delays those messages by the claim's length at most.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;

ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
