"""Supporter sign-ups: a short private form with explicit consent, exportable by organisers, and
erasable by the supporter (/mydata)."""
