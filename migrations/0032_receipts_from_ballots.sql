-- A secret ballot's receipt code is no longer written beside it. It was, in the ballot's own
-- commit, into the receipts table: while the poll was open, a copy of the database (or of the log)
-- showed which code came with which ballot, so anyone who knew a voter's code (a voter shows it to
-- prove she is counted) read her choice. A receipt is now a keyed hash of the ballot's own key
-- (bot/kernel/secrecy.py, ballot_receipt), made when it is asked for: nothing stored ties a code
-- to a ballot without the key.
--
-- RECEIPT_OF: the key a ballot's code is made from, when it is not its own: a ballot cast from an
-- account and then moved to its member, when the account was linked to the roll, keeps the code
-- its voter was given. A keyed hash, as the key beside it.
ALTER TABLE secret_ballots ADD COLUMN receipt_of TEXT;

-- Polls opened before this wrote their receipts as before, and their voters hold those codes:
-- they keep them (RECEIPTS_STORED), read from the receipts table.
ALTER TABLE polls ADD COLUMN receipts_stored INTEGER NOT NULL DEFAULT 0;
UPDATE polls SET receipts_stored = 1 WHERE secret = 1;
