"""Scenarios of campaigns."""
