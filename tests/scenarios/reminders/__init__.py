"""Scenarios of reminders."""
