-- Proxies: a member gives another their vote in one ballot (a roll poll that allows proxies).
-- Who gave whom a proxy is known, as with paper proxies; what the proxy voted is a ballot like
-- any other. A proxy counts as used when the giver's ballot was cast by its holder: cast_by
-- says who cast a ballot. In a secret ballot it is a keyed hash, present on every ballot of a
-- poll that allows proxies, so without the key a proxy's ballot looks like any other.
ALTER TABLE polls ADD COLUMN proxies INTEGER;              -- most proxies one member may hold; NULL: none
ALTER TABLE votes ADD COLUMN cast_by TEXT;                 -- the holder's voter key; NULL: cast by the voter
ALTER TABLE secret_ballots ADD COLUMN cast_by TEXT;        -- HMAC(key, poll, whoever cast it)

CREATE TABLE poll_proxies (
    poll_id  INTEGER NOT NULL REFERENCES polls(id),
    giver    INTEGER NOT NULL REFERENCES members(id),
    holder   INTEGER NOT NULL REFERENCES members(id),
    given_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, giver)
) WITHOUT ROWID;
CREATE INDEX poll_proxies_holder ON poll_proxies(poll_id, holder);
