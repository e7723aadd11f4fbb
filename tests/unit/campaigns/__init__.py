"""Unit tests of campaigns."""
