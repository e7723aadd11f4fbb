-- A pool volunteer's name and answers are sealed under their data key (bot/storage/sealing.py),
-- and a volunteer can erase them (/mydata erase). While the pool is open the row is deleted.
-- Once the pool is frozen its published document holds each ticket's answers to the quota
-- questions (never names): the row then stays for the draw's record, its ticket and seat kept,
-- but NAME and ANSWERS become NULL (their key is destroyed too), IDENTITY a placeholder that
-- names nobody ('erased:' and the ticket), and ERASED 1. SQLite cannot drop a NOT NULL, so the
-- table is rebuilt; nothing references it.
CREATE TABLE pool_volunteers_new (
    pool_id       INTEGER NOT NULL REFERENCES pools(id),
    identity      TEXT NOT NULL,
    name          TEXT,               -- sealed; NULL once erased
    answers       TEXT,               -- sealed JSON {"gender": "female", ...}; NULL once erased
    consent_at    TEXT NOT NULL,
    seq           INTEGER NOT NULL,   -- registration order
    ticket        INTEGER,
    declined      INTEGER NOT NULL DEFAULT 0,
    erased        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, identity)
);

INSERT INTO pool_volunteers_new(pool_id, identity, name, answers, consent_at, seq, ticket, declined)
    SELECT pool_id, identity, name, answers, consent_at, seq, ticket, declined FROM pool_volunteers;

DROP TABLE pool_volunteers;

ALTER TABLE pool_volunteers_new RENAME TO pool_volunteers;
