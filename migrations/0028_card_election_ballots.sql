-- A ranked card vote's ballots are no longer kept with its result: each ranking with its
-- delegate's weight (which the roll gives) would show how each delegate ranked. Results frozen
-- before keep their count; their ballot file goes. Freed bytes are overwritten (secure_delete).
PRAGMA secure_delete=ON;
UPDATE polls SET result = json_set(result, '$.blt', '', '$.ballots_withheld', json('true'))
    WHERE card = 1 AND kind = 'ranked' AND result IS NOT NULL;
