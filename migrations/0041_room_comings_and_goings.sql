-- Who came to a group and who left it, and when, as the platform stamped it (a Telegram service
-- message or member update, a Matrix membership event), in place of 0040's one latest join per
-- member. A poll open to "anyone in the room" is for those who were there when it opened: the
-- first change the bot saw of a member after the opening says it (a join: they were not there;
-- a leave: they were, and one who left and came back keeps their vote), and one with no change
-- since counts as there, as the bot cannot list a group's members (bot/features/polls/service.py).
-- A change is about a person, so it is kept only while an open poll of its room opened before
-- it, and deleted with the close of the last such poll. ROOM is the whole group, never one of
-- its topics, and moves with the group (a member following an upgraded Matrix room into its
-- replacement is no change: the adapter does not report it). MEMBER is the account (tg:123,
-- mx:@ann:example.org); JOINED 1 for a join, 0 for a leave; ID the order the bot heard them in,
-- which orders two changes of the same second.
CREATE TABLE room_changes (
    id     INTEGER PRIMARY KEY,
    room   TEXT NOT NULL,
    member TEXT NOT NULL,
    at     TEXT NOT NULL,
    joined INTEGER NOT NULL CHECK (joined IN (0, 1)),
    UNIQUE (room, member, at, joined)
);
CREATE INDEX room_changes_member ON room_changes(member);

INSERT INTO room_changes (room, member, at, joined) SELECT room, member, joined_at, 1 FROM room_joins;
DROP TABLE room_joins;
