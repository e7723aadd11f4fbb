-- Secret ballots get a table of their own, so that no page of it ever holds a row that names
-- anyone: in the votes table a secret ballot's row could share a page with the open ballots of
-- neighbouring polls (whose voters are named), and every commit writes whole pages to the
-- write-ahead log. The voter column holds the keyed hash (bot/kernel/secrecy.py); a secret
-- ballot records no time. Freed space is overwritten as the rows move.
PRAGMA secure_delete=ON;

CREATE TABLE secret_ballots (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    voter   TEXT NOT NULL,                   -- HMAC(key, poll, member or identity)
    choice  TEXT NOT NULL,
    weight  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (poll_id, voter)
) WITHOUT ROWID;

INSERT INTO secret_ballots(poll_id, voter, choice, weight)
    SELECT v.poll_id, v.voter, v.choice, v.weight FROM votes v JOIN polls p ON p.id = v.poll_id WHERE p.secret = 1;

DELETE FROM votes WHERE poll_id IN (SELECT id FROM polls WHERE secret = 1);
