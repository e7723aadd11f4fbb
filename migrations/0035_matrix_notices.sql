-- The notices the Matrix adapter sends of its own accord about one event (where an upgraded
-- room went, a request to send again what it could not decrypt, an answer read too late): one
-- per event. The core knows which events it applied, not what the adapter said about them, and
-- an event is read again after a restart before its sync token was saved, when what was held
-- for the homeserver is released, or when a gappy sync is filled in. Kept a few days: events
-- are read again only from the sync token saved, which waits at most a day.
CREATE TABLE matrix_notices (
    account  TEXT NOT NULL,            -- the bot's user id
    event_id TEXT NOT NULL,            -- the event the notice was about
    sent_at  TEXT NOT NULL,
    PRIMARY KEY (account, event_id)
) WITHOUT ROWID;

CREATE INDEX matrix_notices_sent ON matrix_notices(sent_at);
