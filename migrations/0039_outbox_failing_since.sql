-- A message the platform could not take for now is tried again for a time (GIVE_UP_AFTER in
-- bot/storage/outbox.py), counted from its first failure, not for a number of tries: an outage
-- is waited out however often the message was tried meanwhile.
ALTER TABLE outbox ADD COLUMN failing_since TEXT;
-- A secret poll's reminder round (outbox_walks) whose block keeps failing is tried the same way.
ALTER TABLE outbox_walks ADD COLUMN failing_since TEXT;
