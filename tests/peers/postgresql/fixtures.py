"""Pytest fixtures: the one PostgreSQL server of a test run, started on first use."""

from __future__ import annotations

import pytest

from .server import PostgresServer, shared


@pytest.fixture(scope="session")
def postgresql() -> PostgresServer:
    """The running server. A failure to start errors every test using it, never skips."""
    return shared()
