"""Polls, proposals and ranked elections: opening them, votes, closing and results."""
