"""Scenario tests: console scripts played through the real bot (tests/helpers.py Chat)."""
