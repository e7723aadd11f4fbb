"""Fixtures for the counting tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from counting_helpers import elections_dir


@pytest.fixture(scope="session")
def elections() -> Path:
    path = elections_dir()
    if not path.is_dir():
        pytest.skip(f"real election data not found at {path} (set QUORUM_ELECTIONS_DIR)")
    return path.resolve()
