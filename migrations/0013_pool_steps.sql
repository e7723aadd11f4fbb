-- What the organisers did to a drawn panel, in order: each replacement round (the declined
-- tickets it refilled, the randomness announced for it, who replaced whom), each quota line
-- relaxed for the rounds after it, each declined seat left empty. All of it is announced in the
-- room as it happens; with the published draw document it is everything `quorum sortition
-- verify` needs to replay the panel as it stands.
CREATE TABLE pool_steps (
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('round', 'relax', 'empty')),
    detail  TEXT NOT NULL,      -- JSON: round {"tickets", "randomness", "replaced"}; relax {"feature",
                                -- "value", "min", "max"}; empty {"ticket"}
    at      TEXT NOT NULL,
    PRIMARY KEY (pool_id, seq)
) WITHOUT ROWID;
