"""Scenarios of triggers."""
