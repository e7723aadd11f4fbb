"""Scenarios of signups."""
