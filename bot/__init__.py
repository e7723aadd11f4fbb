"""Quorum: decisions for membership organisations, where their members already talk."""

__version__ = "0.1.0"
