-- On a database several processes share, a close's follow-up cut short by a crash is taken over
-- by another process (bot/features/polls/service.py, _follow_up_missed). The taker claims it
-- until claimed_until and marks it done (claimed_until NULL) once done, so that a taker that dies
-- in turn leaves it to the next once the claim runs out. A row without a claim is done.
ALTER TABLE followed_up_polls ADD COLUMN claimed_until TEXT;
