-- A private message that tells its reader something a secret ballot keeps secret (a reminder
-- in a secret poll: that they had not voted by then) is deleted as soon as it was sent or given
-- up, and, sent or not, when what FORGET_WITH names ends ('poll:12': that poll's close), rather
-- than kept for 30 days like other private messages (bot/storage/outbox.py).
ALTER TABLE outbox ADD COLUMN forget_with TEXT;
CREATE INDEX outbox_forget ON outbox(forget_with) WHERE forget_with IS NOT NULL;
