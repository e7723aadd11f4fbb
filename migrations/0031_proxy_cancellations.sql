-- A proxy its giver cancelled by voting themselves is marked here in the vote's own transaction:
-- MARK is a keyed hash of the poll and the giver (bot/kernel/secrecy.py, cancel_mark), so the
-- row names nobody without the key, as the secret ballot beside it names nobody. The flag of
-- migration 27 (poll_proxies.cancelled) was written in a commit of its own just after the vote
-- and named the giver: in the log's order, next to her secret ballot. It is read for proxies
-- cancelled before this migration, and written no more.
CREATE TABLE proxy_cancellations (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    mark    TEXT NOT NULL,
    PRIMARY KEY (poll_id, mark)
) WITHOUT ROWID;
