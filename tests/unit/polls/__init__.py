"""Unit tests of polls."""
