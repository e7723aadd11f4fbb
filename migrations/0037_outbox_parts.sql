-- A message too long for one goes in parts: how many of them its platform took, so that a
-- retry after a later part failed resumes with the next one (bot/storage/outbox.py).
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
