"""The real peers the adapters are tested against, and their own tests."""
