-- Responses to the bot's native Matrix polls: which poll each response event answered, and by
-- whom. A redaction names only the event it removes, and the homeserver strips the redacted
-- event's relation, so this is how a redaction after a restart finds its poll. Native polls
-- are open ballots (every client shows who chose what): this links nobody to a secret choice.
CREATE TABLE matrix_poll_responses (
    account  TEXT NOT NULL,
    event_id TEXT NOT NULL,
    poll     TEXT NOT NULL,                  -- room id | start event id
    sender   TEXT NOT NULL,
    PRIMARY KEY (account, event_id)
) WITHOUT ROWID;
