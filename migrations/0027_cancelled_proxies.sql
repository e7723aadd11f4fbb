-- A proxy its giver cancelled by voting themselves stays cancelled, also should they withdraw that
-- vote later: the holder was told it is cancelled, and is refused if they try to cast it. Nothing
-- but the flag: no time, which could be set beside a secret ballot's.
ALTER TABLE poll_proxies ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
