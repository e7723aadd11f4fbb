-- Who drafts a motion: besides its creator, the members they (or an organiser) invited with the
-- motion's drafting code. Organisers of its room may always draft.
CREATE TABLE motion_drafters (
    motion_id INTEGER NOT NULL REFERENCES motions(id),
    identity  TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (motion_id, identity)
) WITHOUT ROWID;
