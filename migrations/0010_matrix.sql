-- The Matrix adapter's own state, per bot account (one database may have served another).

-- Where the last fully handled sync ended, so a restart neither replays nor skips events,
-- and the device the bot logs in as, so password logins do not pile up devices.
CREATE TABLE matrix_accounts (
    account    TEXT PRIMARY KEY,             -- the bot's user id
    next_batch TEXT,                         -- sync token after the last handled sync
    device_id  TEXT,
    updated_at TEXT NOT NULL
);

-- The direct-message room the bot uses for each person (secret ballots, reminders).
CREATE TABLE matrix_direct_rooms (
    account TEXT NOT NULL,
    user_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    PRIMARY KEY (account, user_id)
) WITHOUT ROWID;
