-- When someone joined a group, as the platform stamped it (a Telegram service message or member
-- update, a Matrix membership event): a poll open to "anyone in the room" is for those who were
-- there when it opened, and one who joined after is refused (bot/features/polls/service.py).
-- A join is about a person, so it is kept only while an open poll of its room opened before
-- it (nothing else needs it), and deleted with the close of the last such poll. ROOM is the
-- whole group, never one of its topics; MEMBER the account (tg:123, mx:@ann:example.org).
CREATE TABLE room_joins (
    room      TEXT NOT NULL,
    member    TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (room, member)
);
