"""Storage: the database, the single writer, the durable outbox and the scheduler.

It imports only the kernel. The features' own SQL lives in their ``store.py`` files; this layer
holds what every feature shares (connections, group commit, update ids, timed wake-ups).
"""
