"""Counting: pure functions from ballots to results, with every rule's arithmetic exact."""
