-- As ../0019_leases.sql, and the outbox wakes its sender in whichever process it runs: a
-- statement that queues messages notifies channel quorum_outbox, delivered at the commit.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

ALTER TABLE outbox ADD COLUMN claimed_until TEXT;

CREATE FUNCTION quorum_outbox_notify() RETURNS trigger LANGUAGE plpgsql
    AS 'BEGIN PERFORM pg_notify(''quorum_outbox'', ''''); RETURN NULL; END';

-- (Inside DO: the migrations are cut into statements by SQLite's rules, which read a bare
-- CREATE TRIGGER as SQLite's own, ending at END.)
DO 'BEGIN
    CREATE TRIGGER outbox_queued AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION quorum_outbox_notify();
END';
