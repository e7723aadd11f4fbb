"""Scenarios of pools."""
