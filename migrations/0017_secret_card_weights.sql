-- A secret card vote's ballots no longer carry their weight: a weight can belong to one member
-- alone and would name them beside their choice. The count finds each weight from the poll's
-- electorate through the ballot's keyed hash. Freed bytes are overwritten (secure_delete).
PRAGMA secure_delete=ON;
UPDATE secret_ballots SET weight = 1 WHERE poll_id IN (SELECT id FROM polls WHERE card = 1);
