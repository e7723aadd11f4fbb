-- The data keys personal data is sealed under, one per supporter (bot/storage/sealing.py).
-- HOLDER is an HMAC of the supporter's identity under the bot secret, so the table names nobody;
-- WRAPPED is the key encrypted under a key derived from that secret, which is not in the
-- database: a copy of the database alone opens nothing. Erasure deletes the row.
CREATE TABLE data_keys (
    holder  TEXT PRIMARY KEY,
    wrapped TEXT NOT NULL
) WITHOUT ROWID;
