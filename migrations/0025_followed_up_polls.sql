-- What follows a poll's close once its result is announced (its chart, its ballot messages shown
-- closed, the features waiting on it told) is done after the close's transaction, and may take
-- a while (a chart is drawn, platforms are called). A poll is named here once that is done, so
-- what a crash cut short is done at the next start (bot/features/polls/service.py, follow_up).
-- The polls closed before this migration are taken as done.
CREATE TABLE followed_up_polls (
    poll_id INTEGER PRIMARY KEY REFERENCES polls(id)
);
INSERT INTO followed_up_polls(poll_id) SELECT id FROM polls WHERE closed_at IS NOT NULL;
