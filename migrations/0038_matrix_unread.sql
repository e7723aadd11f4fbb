-- Events the Matrix adapter held for the homeserver's answer (a poll's history, an edit's
-- original) past the time the saved sync token waits for them (a day): a restart no longer
-- reads them again. Each is kept here until it is handled; what a restart finds here was lost,
-- and its sender is told once (matrix_notices) to send it again.
CREATE TABLE matrix_unread (
    account  TEXT NOT NULL,            -- the bot's user id
    event_id TEXT NOT NULL,            -- the event held
    room_id  TEXT NOT NULL,
    sender   TEXT NOT NULL,            -- its sender's Matrix id
    held_at  TEXT NOT NULL,
    PRIMARY KEY (account, event_id)
) WITHOUT ROWID;
