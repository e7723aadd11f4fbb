"""Scenarios of roll."""
