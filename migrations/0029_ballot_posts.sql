-- Every open poll has its ballot message in its room: when posting it fails (the platform is
-- down, the process dies first, the room moved and the new room could not be posted to), the
-- bot posts it again until it is there (bot/features/polls/service.py, "ballot posts"). Whoever
-- posts a poll's ballot claims it here until claimed_until, so that on a database several
-- processes share one of them posts it, and another takes it over once the claim runs out.
CREATE TABLE ballot_posts (
    poll_id INTEGER PRIMARY KEY REFERENCES polls(id),
    claimed_until TEXT NOT NULL
);
