-- A message the platform could not take for now is tried again for a time (GIVE_UP_AFTER in
-- bot/storage/outbox.py), counted from its first failure, not for a number of tries: an outage
-- is waited out however often the message was tried meanwhile.
ALTER TABLE outbox ADD COLUMN failing_since TEXT;
