"""Scenarios of motions."""
