"""Tests of the application as a whole: its wiring, its architecture, its command line."""
