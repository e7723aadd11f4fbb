-- A ranked card vote's ballots are no longer kept with its result: each ranking with its
-- delegate's weight (which the roll gives) would show how each delegate ranked. Results frozen
-- before keep their count; their ballot file goes (the old row versions until a vacuum).
UPDATE polls SET result = (result::jsonb || '{"blt": "", "ballots_withheld": true}'::jsonb)::text
    WHERE card = 1 AND kind = 'ranked' AND result IS NOT NULL;
