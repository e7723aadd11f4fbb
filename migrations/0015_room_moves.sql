-- Rooms that moved to a new id (a Telegram group upgraded to a supergroup, a Matrix room
-- upgraded to a new version). Every stored reference moves with the room in the transaction
-- that records the move; this row keeps the old id as an alias, so organisers configured for
-- the old id organise the new one, and a repeated notice of the same move changes nothing.
CREATE TABLE room_moves (
    old_room TEXT PRIMARY KEY,
    new_room TEXT NOT NULL,
    moved_at TEXT NOT NULL
);
