-- An open poll's reminder round is a walk too (bot/storage/outbox.py): its messages, which may
-- be stored, are QUEUED as messages of their own a page of members at a time, each page with
-- the walk's progress (DONE_TO) in one transaction, so a round of any size is never built in
-- memory or written in one transaction, and a crash neither repeats nor skips a member.
ALTER TABLE outbox_walks ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;
-- Nothing queues a message with FORGET_WITH any more: a secret poll's reminders are walked,
-- never stored (0036). A row still marked so comes from a version before that and tells its
-- reader they had not voted in a secret ballot: it goes now, as it would have at its poll's close.
DELETE FROM outbox WHERE forget_with IS NOT NULL;
DROP INDEX outbox_forget;
ALTER TABLE outbox DROP COLUMN forget_with;
