-- The core: the membership roll, chat identities, polls, votes and processed updates.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The organisation's membership roll. join_code lets a member link their chat accounts.
CREATE TABLE members (
    id         INTEGER PRIMARY KEY,
    number     TEXT UNIQUE,
    name       TEXT NOT NULL,
    branch     TEXT,
    weight     INTEGER NOT NULL DEFAULT 1 CHECK (weight > 0),
    join_code  TEXT NOT NULL UNIQUE,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- A platform-qualified chat identity (tg:123, mx:@ann:example.org, console:ann), optionally
-- linked to a member: linked identities of one member vote as that one member.
CREATE TABLE identities (
    identity     TEXT PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT '',
    member_id    INTEGER REFERENCES members(id),
    linked_at    TEXT
);
CREATE INDEX identities_member ON identities(member_id);

CREATE TABLE polls (
    id              INTEGER PRIMARY KEY,
    room            TEXT NOT NULL,
    creator         TEXT NOT NULL,
    question        TEXT NOT NULL,
    options         TEXT NOT NULL,           -- JSON list of option labels
    kind            TEXT NOT NULL CHECK (kind IN ('choice', 'proposal', 'ranked')),
    max_choices     INTEGER NOT NULL DEFAULT 1,
    seats           INTEGER NOT NULL DEFAULT 1,
    secret          INTEGER NOT NULL DEFAULT 0,
    hidden          INTEGER NOT NULL DEFAULT 0,
    card            INTEGER NOT NULL DEFAULT 0,
    native          INTEGER NOT NULL DEFAULT 0,
    quorum          TEXT,                    -- '40%' or '25' (a head count), NULL for none
    majority        TEXT,                    -- simple | absolute | two-thirds | industrial...
    electorate_kind TEXT NOT NULL CHECK (electorate_kind IN ('room', 'roll', 'branch')),
    electorate_branch TEXT,
    electorate_size INTEGER,                 -- NULL when unknown ("anyone in the room")
    electorate_weight INTEGER,
    opened_at       TEXT NOT NULL,
    closes_at       TEXT,
    closed_at       TEXT,
    closed_by       TEXT,
    result          TEXT                     -- JSON, frozen when the poll closes
);
CREATE INDEX polls_open ON polls(closed_at, closes_at);
CREATE INDEX polls_room ON polls(room);

-- Who may vote, fixed when the poll opens (only for roll and branch electorates).
CREATE TABLE poll_electorate (
    poll_id   INTEGER NOT NULL REFERENCES polls(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    weight    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (poll_id, member_id)
) WITHOUT ROWID;

-- One row per voter and poll: a later vote replaces the earlier one. In a secret poll,
-- voter is a keyed hash and cast_at is NULL, so the table links nobody to a choice.
-- WITHOUT ROWID keeps rows in key order, not in the order they were cast.
CREATE TABLE votes (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    voter   TEXT NOT NULL,
    choice  TEXT NOT NULL,                   -- option indexes, comma separated (ranked: in order)
    weight  INTEGER NOT NULL DEFAULT 1,
    cast_at TEXT,
    PRIMARY KEY (poll_id, voter)
) WITHOUT ROWID;

-- Messages that show a poll, so they can be edited and native polls closed.
CREATE TABLE poll_messages (
    poll_id    INTEGER NOT NULL REFERENCES polls(id),
    room       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    native_ref TEXT,
    PRIMARY KEY (poll_id, room, ref)
);
CREATE INDEX poll_messages_native ON poll_messages(native_ref);

-- Platform update ids already acted on: a redelivered update is recognised and ignored.
CREATE TABLE seen_events (
    event_id TEXT PRIMARY KEY,
    seen_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Receipts of secret ballots: each voter can find their own code in the list of counted
-- ballots. Kept apart from votes, in code order, so a receipt points to no choice.
CREATE TABLE receipts (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    code    TEXT NOT NULL,
    PRIMARY KEY (poll_id, code)
) WITHOUT ROWID;
