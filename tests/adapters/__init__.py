"""End-to-end tests of the platform adapters against real peers."""
