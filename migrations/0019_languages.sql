-- The language chosen with /language: by a member for what the bot writes to them privately,
-- by an organiser for what it writes in a room. SUBJECT is a member's or a room's qualified id;
-- without a row, a member reads the language their app reports, a room the bot's default.
CREATE TABLE languages (
    subject    TEXT PRIMARY KEY,
    code       TEXT NOT NULL,
    chosen_at  TEXT NOT NULL
);
