"""Tests of pure logic: no peer, no database (the engines, each feature's model, parse and render)."""
