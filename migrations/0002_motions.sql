-- Motions drafted together, their full history, and amendments decided by ballot.

-- A motion in the movement's shape: a title, then points under notes / believes / resolves.
-- sections is JSON {"notes": [...], "believes": [...], "resolves": [...]}: the current text;
-- every change to it is also a row in motion_history.
CREATE TABLE motions (
    id           INTEGER PRIMARY KEY,
    room         TEXT NOT NULL,
    title        TEXT NOT NULL,
    voice        TEXT NOT NULL DEFAULT 'This branch',   -- "This branch notes …"
    proposer     TEXT,                                   -- the proposing body
    mover        TEXT,
    seconder     TEXT,
    sections     TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'submitted', 'debated', 'carried', 'lost', 'remitted', 'withdrawn',
                                   'composited')),
    emergency    INTEGER NOT NULL DEFAULT 0,
    deadline     TEXT,                                   -- submission deadline (UTC ISO)
    vote_poll_id INTEGER REFERENCES polls(id),           -- the vote on the substantive motion
    composite_of TEXT,                                   -- 'M3,M4' for a composite motion
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    submitted_at TEXT
);
CREATE INDEX motions_room ON motions(room);

-- Who changed what, when. Never updated; an entry goes only with a step undone in the same command.
CREATE TABLE motion_history (
    id         INTEGER PRIMARY KEY,
    motion_id  INTEGER NOT NULL REFERENCES motions(id),
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at         TEXT NOT NULL,
    change     TEXT NOT NULL
);
CREATE INDEX motion_history_motion ON motion_history(motion_id, id);

-- An amendment: insert / delete / replace words in one point, or add a point.
CREATE TABLE amendments (
    id          INTEGER PRIMARY KEY,
    motion_id   INTEGER NOT NULL REFERENCES motions(id),
    spec        TEXT NOT NULL,                  -- JSON of the parsed amendment
    summary     TEXT NOT NULL,                  -- how it reads, e.g. resolves 2: replace "a" with "b"
    mover       TEXT NOT NULL,
    mover_name  TEXT NOT NULL,
    seconder    TEXT,
    status      TEXT NOT NULL DEFAULT 'proposed'
                CHECK (status IN ('proposed', 'seconded', 'voting', 'carried', 'lost', 'withdrawn', 'void')),
    poll_id     INTEGER REFERENCES polls(id),
    created_at  TEXT NOT NULL,
    decided_at  TEXT,
    note        TEXT
);
CREATE INDEX amendments_motion ON amendments(motion_id);
CREATE INDEX amendments_poll ON amendments(poll_id);
