"""Engines: pure, synchronous counting and sortition. They import nothing of the bot, so each
can be checked, benchmarked and reused on its own (see counting/README.md, sortition/PROTOCOL.md)."""
