-- The private conversation each person is in (a sign-up form, a pool registration, a signature
-- asked for) and how far they got, so that the next answer is read right after a restart or by
-- another process (bot/storage/dialogues.py). STATE holds the answers given so far, sealed under
-- a data key of the conversation's own (a row of data_keys named by the same HOLDER, a keyed hash,
-- so neither names anybody), destroyed with the row whenever the conversation ends. One untouched
-- for a day ends: EXPIRES (ISO time) says when, and rows past it are deleted hourly with their keys.
CREATE TABLE dialogues (
    holder  TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    state   TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE INDEX dialogues_expires ON dialogues(expires);
