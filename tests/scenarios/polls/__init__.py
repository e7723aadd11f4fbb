"""Scenarios of polls."""
