-- Several processes on one database (PostgreSQL): a Matrix account syncs in the one process
-- holding its lease, and the process taking over needs the device's end-to-end keys and
-- sessions exactly as the last holder left them. The holder saves its encryption store here,
-- sealed with a key derived from the bot's secret (which is never in the database), in the
-- transaction that saves the sync token; the next holder puts it back in place before logging
-- in. On SQLite the one process keeps the store in its directory beside the database only.
CREATE TABLE matrix_crypto_stores (
    account    TEXT NOT NULL,            -- the bot's user id
    device_id  TEXT NOT NULL,
    sealed     TEXT NOT NULL,            -- base64: nonce, tag, then the store file encrypted (AES-GCM)
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, device_id)
) WITHOUT ROWID;
