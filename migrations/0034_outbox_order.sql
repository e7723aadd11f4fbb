-- A chat's messages go in the order they were queued: one waiting for a retry holds back those
-- queued after it to the same chat (bot/storage/outbox.py), found through this index.
CREATE INDEX outbox_waiting ON outbox(target, id) WHERE sent_at IS NULL AND failed IS NULL;

-- A message that belongs to something that ends (a reminder, to its poll's close: 'poll:12')
-- and has nothing left to say after it: given up, if still waiting, when that ends.
ALTER TABLE outbox ADD COLUMN ends_with TEXT;
CREATE INDEX outbox_ends ON outbox(ends_with) WHERE ends_with IS NOT NULL AND sent_at IS NULL;
