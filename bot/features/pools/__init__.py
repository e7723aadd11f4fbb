"""Sortition in chat: volunteer pools, quotas, and draws anyone can verify."""
