"""Unit tests of trigger campaigns."""
