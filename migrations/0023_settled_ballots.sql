-- On PostgreSQL a table keeps its rows in the order they arrived (ctid) and each row the id of the
-- transaction that wrote it (xmin), so the ballots and receipts of a secret poll would keep the
-- order its voters voted in. Once the poll is closed they are rewritten, together, in the order of
-- their keys (bot/features/polls/store.py, settle_secret_ballots); a poll is named here once that
-- is done, so a rewrite cut short by a crash is made at the next start. SQLite keeps these tables
-- in key order (WITHOUT ROWID) and needs no rewrite.
CREATE TABLE settled_polls (
    poll_id INTEGER PRIMARY KEY REFERENCES polls(id)
);
