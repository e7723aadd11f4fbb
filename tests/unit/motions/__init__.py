"""Unit tests of motions."""
