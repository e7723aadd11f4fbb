-- How many messages a queued walk (an open poll's reminder round, bot/storage/outbox.py) has
-- queued so far, added to in the transaction that queues each page with the walk's progress:
-- when the walk is over, its round's size is logged, right across restarts and processes,
-- without a pass over the outbox. A secret poll's walk stores no message and counts none.
ALTER TABLE outbox_walks ADD COLUMN messages INTEGER NOT NULL DEFAULT 0;
